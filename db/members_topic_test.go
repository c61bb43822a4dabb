package db_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

// Members lists a room's people by name; Leave takes one out.
func TestMembersListsARoomsPeople(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		ctx := t.Context()
		var ids []int64
		for _, name := range []string{"mem-zoe", "mem-ana", "mem-out"} {
			u, err := s.CreateUser(ctx, name, "hash")
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u.ID)
		}
		room, err := s.CreateRoom(ctx, "members-club", chat.Private, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.AddMember(ctx, room.ID, "mem-ana"); err != nil {
			t.Fatal(err)
		}
		members, err := s.Members(ctx, room.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range members {
			names = append(names, m.Username)
		}
		if want := []string{"mem-ana", "mem-zoe"}; !slices.Equal(names, want) {
			t.Fatalf("members %q, want %q", names, want)
		}
	})
}

// A topic is one line of at most MaxTopicLen characters.
func TestSetTopicKeepsOneBoundedLine(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		ctx := t.Context()
		u, err := s.CreateUser(ctx, "topic-setter", "hash")
		if err != nil {
			t.Fatal(err)
		}
		room, err := s.CreateRoom(ctx, "topical", chat.Public, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.SetTopic(ctx, room.ID, "  Diseño:\n\tthe <b>phone</b>\x00 layout  ")
		if want := "Diseño: the <b>phone</b> layout"; err != nil || got != want {
			t.Fatalf("SetTopic = %q, %v; want %q", got, err, want)
		}
		r, _, err := s.RoomFor(ctx, room.ID, u.ID)
		if err != nil || r.Topic != "Diseño: the <b>phone</b> layout" {
			t.Fatalf("RoomFor: topic %q, %v", r.Topic, err)
		}
		longest := strings.Repeat("ñ", db.MaxTopicLen)
		if got, err := s.SetTopic(ctx, room.ID, longest); err != nil || got != longest {
			t.Fatalf("a topic of exactly %d characters: %q, %v", db.MaxTopicLen, got, err)
		}
		if _, err := s.SetTopic(ctx, room.ID, longest+"x"); !errors.Is(err, db.ErrTopicTooLong) {
			t.Fatalf("a topic of %d characters: %v, want ErrTopicTooLong", db.MaxTopicLen+1, err)
		}
		if r, _, _ := s.RoomFor(ctx, room.ID, u.ID); r.Topic != longest {
			t.Fatalf("the refused topic replaced the old one: %q", r.Topic)
		}
	})
}

// Usernames suggests at most MaxSuggestions active accounts by prefix,
// never the asker, never a deactivated account, never for too short a
// prefix.
func TestUsernamesAreBoundedAndActive(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		ctx := t.Context()
		admin, err := s.CreateUser(ctx, "admin-first", "hash")
		if err != nil {
			t.Fatal(err)
		}
		var gone int64
		for i := range db.MaxSuggestions + 3 {
			u, err := s.CreateUser(ctx, fmt.Sprintf("sug-%02d", i), "hash")
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				gone = u.ID
			}
		}
		asker, err := s.CreateUser(ctx, "sug-asker", "hash")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeactivateUser(ctx, gone); err != nil {
			t.Fatal(err)
		}
		got, err := s.Usernames(ctx, "SUG-", asker.ID)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i := 1; i <= db.MaxSuggestions; i++ {
			want = append(want, fmt.Sprintf("sug-%02d", i))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Usernames(\"SUG-\") = %q, want %q (bounded, by name, without sug-00, deactivated)", got, want)
		}
		if got, err := s.Usernames(ctx, "sug-a", asker.ID); err != nil || len(got) != 0 {
			t.Fatalf("the asker was suggested to themselves: %q, %v", got, err)
		}
		if got, err := s.Usernames(ctx, "s", admin.ID); !errors.Is(err, db.ErrShortPrefix) || len(got) != 0 {
			t.Fatalf("a one-letter prefix: %q, %v; want ErrShortPrefix", got, err)
		}
		if got, err := s.Usernames(ctx, "sug_", admin.ID); err != nil || len(got) != 0 {
			t.Fatalf("\"_\" is a pattern: %q, %v", got, err)
		}
	})
}
