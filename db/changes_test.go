package db_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

// post stores one message of u in room and returns it.
func post(t *testing.T, s *db.Store, room int64, u chat.User, key, body string) chat.Message {
	t.Helper()
	return mustCreate(t, s, db.NewMessage{RoomID: room, UserID: u.ID, Key: key, Author: u.Username, Body: body})[0].Message
}

func change(t *testing.T, s *db.Store, c db.MessageChange) (chat.Message, error) {
	t.Helper()
	if err := c.Validate(); err != nil {
		return chat.Message{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.ChangeMessage(ctx, c)
}

// TestMessageChanges: who may change what, on both backends, and that
// each change moves the message to the next position.
func TestMessageChanges(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		ana, bruno := mustUser(t, s, "ana"), mustUser(t, s, "bruno")
		admin := mustUser(t, s, "boss")
		admin.Admin = true
		m := post(t, s, db.GeneralRoom, ana, "key-ana-1", "hello")
		other := post(t, s, db.GeneralRoom, bruno, "key-bruno-1", "hi")

		edited, err := change(t, s, db.MessageChange{Kind: chat.Edit, RoomID: db.GeneralRoom, MessageID: m.ID, By: ana, Body: "  hello, world  "})
		if err != nil || edited.Body != "hello, world" || !edited.Edited() || edited.Pos <= other.Pos {
			t.Fatalf("own edit: %+v, %v; want the new text, edited, a later position than %d", edited, err, other.Pos)
		}
		for _, c := range []struct {
			name string
			c    db.MessageChange
			want error
		}{
			{"another's message", db.MessageChange{Kind: chat.Edit, RoomID: db.GeneralRoom, MessageID: other.ID, By: ana, Body: "x"}, db.ErrNotYours},
			{"an admin edits another's", db.MessageChange{Kind: chat.Edit, RoomID: db.GeneralRoom, MessageID: m.ID, By: admin, Body: "x"}, db.ErrNotYours},
			{"no such id", db.MessageChange{Kind: chat.Edit, RoomID: db.GeneralRoom, MessageID: 999999, By: ana, Body: "x"}, db.ErrNoMessage},
			{"the right id in another room", db.MessageChange{Kind: chat.Edit, RoomID: 999, MessageID: m.ID, By: ana, Body: "x"}, db.ErrNoMessage},
			{"empty", db.MessageChange{Kind: chat.Edit, RoomID: db.GeneralRoom, MessageID: m.ID, By: ana, Body: " "}, db.ErrEmpty},
			{"delete another's", db.MessageChange{Kind: chat.Delete, RoomID: db.GeneralRoom, MessageID: m.ID, By: bruno}, db.ErrNotYours},
			{"not a reaction", db.MessageChange{Kind: chat.React, RoomID: db.GeneralRoom, MessageID: m.ID, By: bruno, Emoji: "<b>"}, db.ErrNoReaction},
			{"react in another room", db.MessageChange{Kind: chat.React, RoomID: 999, MessageID: m.ID, By: bruno, Emoji: "👍"}, db.ErrNoMessage},
		} {
			if _, err := change(t, s, c.c); !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}
		var tooLong *db.TooLongError
		if _, err := change(t, s, db.MessageChange{Kind: chat.Edit, RoomID: db.GeneralRoom, MessageID: m.ID, By: ana, Body: string(make([]rune, db.MaxMessageLen+1))}); !errors.As(err, &tooLong) {
			t.Errorf("too long edit: %v", err)
		}

		// Reactions toggle, per person, in the fixed order.
		for _, r := range []struct {
			by    chat.User
			emoji string
		}{{bruno, "🎉"}, {bruno, "👍"}, {ana, "👍"}, {bruno, "🎉"}} {
			if _, err := change(t, s, db.MessageChange{Kind: chat.React, RoomID: db.GeneralRoom, MessageID: m.ID, By: r.by, Emoji: r.emoji}); err != nil {
				t.Fatalf("react %s: %v", r.emoji, err)
			}
		}
		now, err := s.Message(context.Background(), db.GeneralRoom, m.ID)
		if err != nil || len(now.Reactions) != 1 || now.Reactions[0].Emoji != "👍" || len(now.Reactions[0].People) != 2 ||
			now.Reactions[0].People[0] != (chat.Reactor{ID: bruno.ID, Name: "bruno"}) {
			t.Fatalf("reactions %+v, %v; want 👍 by bruno then ana (🎉 toggled off)", now.Reactions, err)
		}

		// An admin deletes anyone's; the text is gone from the database.
		deleted, err := change(t, s, db.MessageChange{Kind: chat.Delete, RoomID: db.GeneralRoom, MessageID: m.ID, By: admin})
		if err != nil || !deleted.Deleted || deleted.Body != "" || deleted.Reactions != nil {
			t.Fatalf("admin delete: %+v, %v", deleted, err)
		}
		var body, reactions string
		if err := s.DB().QueryRow(`SELECT body, reactions FROM messages WHERE id = ?`, m.ID).Scan(&body, &reactions); err != nil || body != "" || reactions != "" {
			t.Fatalf("stored after delete: body %q reactions %q (%v), want both gone", body, reactions, err)
		}
		if _, err := change(t, s, db.MessageChange{Kind: chat.Edit, RoomID: db.GeneralRoom, MessageID: m.ID, By: ana, Body: "back"}); !errors.Is(err, db.ErrNoMessage) {
			t.Errorf("edit a deleted message: %v, want ErrNoMessage", err)
		}
		if _, err := change(t, s, db.MessageChange{Kind: chat.React, RoomID: db.GeneralRoom, MessageID: m.ID, By: ana, Emoji: "👍"}); !errors.Is(err, db.ErrNoMessage) {
			t.Errorf("react to a deleted message: %v, want ErrNoMessage", err)
		}
		if _, err := change(t, s, db.MessageChange{Kind: chat.Delete, RoomID: db.GeneralRoom, MessageID: other.ID, By: bruno}); err != nil {
			t.Errorf("delete one's own: %v", err)
		}
	})
}

// TestChangedAfterSendsEachMessageOnceAsItIsNow: what a page whose cursor
// is behind missed is every message changed since, once, in its current
// state, in position order.
func TestChangedAfterSendsEachMessageOnceAsItIsNow(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		ana := mustUser(t, s, "ana")
		first := post(t, s, db.GeneralRoom, ana, "key-first", "first")
		cursor, err := s.Cursor(ctx, db.GeneralRoom)
		if err != nil || cursor != first.Pos {
			t.Fatalf("cursor %d, %v; want %d", cursor, err, first.Pos)
		}
		for i := range 3 {
			if _, err := change(t, s, db.MessageChange{Kind: chat.Edit, RoomID: db.GeneralRoom, MessageID: first.ID, By: ana, Body: "edit " + string(rune('1'+i))}); err != nil {
				t.Fatal(err)
			}
		}
		second := post(t, s, db.GeneralRoom, ana, "key-second", "second")
		got, err := s.ChangedAfter(ctx, db.GeneralRoom, cursor, 100)
		if err != nil || len(got) != 2 || got[0].ID != first.ID || got[0].Body != "edit 3" || got[1].ID != second.ID {
			t.Fatalf("changed after %d: %+v, %v; want the first message once as 'edit 3', then the second", cursor, got, err)
		}
		if n, err := s.CountChangedAfter(ctx, db.GeneralRoom, cursor, 100); err != nil || n != 2 {
			t.Fatalf("count changed after: %d, %v; want 2", n, err)
		}
		if got[0].Pos >= got[1].Pos {
			t.Fatalf("positions %d, %d: want increasing", got[0].Pos, got[1].Pos)
		}
	})
}

// TestPositionsCountEachRoomApart: one batch across two rooms, then a
// change: each room's positions go 1, 2, 3… with no gap, so that whoever
// follows a room can tell a missed event by its number.
func TestPositionsCountEachRoomApart(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		ana := mustUser(t, s, "ana")
		other, err := s.CreateRoom(context.Background(), "other", chat.Public, ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		var batch []db.NewMessage
		for i, room := range []int64{db.GeneralRoom, other.ID, db.GeneralRoom, other.ID, other.ID} {
			batch = append(batch, db.NewMessage{RoomID: room, UserID: ana.ID, Key: "pos-key-" + string(rune('a'+i)), Author: "ana", Body: "x"})
		}
		stored := mustCreate(t, s, batch...)
		var got []int64
		for _, st := range stored {
			got = append(got, st.Message.Pos)
		}
		if want := []int64{1, 1, 2, 2, 3}; !slices.Equal(got, want) {
			t.Fatalf("positions %v, want %v", got, want)
		}
		m, err := change(t, s, db.MessageChange{Kind: chat.Edit, RoomID: other.ID, MessageID: stored[1].Message.ID, By: ana, Body: "y"})
		if err != nil || m.Pos != 4 {
			t.Fatalf("an edit in the other room: position %d, %v; want 4", m.Pos, err)
		}
	})
}

// TestReactionsAreBounded: an emoji lists at most MaxReactors people; the
// next is refused, and anyone listed may still take theirs back.
func TestReactionsAreBounded(t *testing.T) {
	s := dbtest.File(t)
	ana := mustUser(t, s, "ana")
	m := post(t, s, db.GeneralRoom, ana, "key-bounded", "react to me")
	var people []chat.Reactor
	for i := range db.MaxReactors {
		people = append(people, chat.Reactor{ID: int64(1000 + i), Name: "p"})
	}
	full := `[{"e":"👍","u":[` + reactorsJSON(people) + `]}]`
	if _, err := s.DB().Exec(`UPDATE messages SET reactions = ? WHERE id = ?`, full, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := change(t, s, db.MessageChange{Kind: chat.React, RoomID: db.GeneralRoom, MessageID: m.ID, By: ana, Emoji: "👍"}); !errors.Is(err, db.ErrTooManyReactions) {
		t.Fatalf("reaction %d: %v, want ErrTooManyReactions", db.MaxReactors+1, err)
	}
	listed := chat.User{ID: 1000, Username: "p"}
	if got, err := change(t, s, db.MessageChange{Kind: chat.React, RoomID: db.GeneralRoom, MessageID: m.ID, By: listed, Emoji: "👍"}); err != nil || len(got.Reactions[0].People) != db.MaxReactors-1 {
		t.Fatalf("taking one back from a full emoji: %v", err)
	}
}

func reactorsJSON(people []chat.Reactor) string {
	var b strings.Builder
	for i, p := range people {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "[%d,%q]", p.ID, p.Name)
	}
	return b.String()
}
