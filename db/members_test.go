package db_test

import (
	"testing"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

// AddMember and DirectRoom say whether anyone joined, so that a repeat
// (re-adding a member, reopening a conversation) changes nothing further.
func TestMembershipChangesSayWhetherAnyoneJoined(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		ctx := t.Context()
		a, err := s.CreateUser(ctx, "member-a", "hash")
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.CreateUser(ctx, "member-b", "hash")
		if err != nil {
			t.Fatal(err)
		}
		room, err := s.CreateRoom(ctx, "club", chat.Private, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []bool{true, false} {
			u, added, err := s.AddMember(ctx, room.ID, "member-b")
			if err != nil || u.ID != b.ID || added != want {
				t.Fatalf("add #%d: %+v added=%v err=%v; want member-b, added=%v", i+1, u, added, err, want)
			}
		}
		for i, want := range []bool{true, false} {
			dm, started, err := s.DirectRoom(ctx, b.ID, a.ID)
			if err != nil || dm.Kind != chat.Direct || started != want {
				t.Fatalf("direct #%d: %+v started=%v err=%v; want started=%v", i+1, dm, started, err, want)
			}
		}
	})
}

// CountAfter counts a room's messages after an id, up to its limit.
func TestCountAfterStopsAtTheLimit(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		var msgs []db.NewMessage
		for i := range 5 {
			msgs = append(msgs, newMsg(1000+i))
		}
		stored := mustCreate(t, s, msgs...)
		first := stored[0].Message.ID
		for _, tc := range []struct {
			after int64
			limit int
			want  int
		}{{first - 1, 10, 5}, {first - 1, 3, 3}, {first, 10, 4}, {stored[4].Message.ID, 10, 0}} {
			if n, err := s.CountAfter(t.Context(), db.GeneralRoom, tc.after, tc.limit); err != nil || n != tc.want {
				t.Errorf("CountAfter(after %d, limit %d) = %d, %v; want %d", tc.after, tc.limit, n, err, tc.want)
			}
		}
		if n, err := s.CountAfter(t.Context(), 99, 0, 10); err != nil || n != 0 {
			t.Errorf("another room: %d, %v; want 0", n, err)
		}
	})
}
