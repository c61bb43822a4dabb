package db_test

import (
	"testing"

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
		room, err := s.CreateRoom(ctx, "club", db.Private, a.ID)
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
			if err != nil || dm.Kind != db.Direct || started != want {
				t.Fatalf("direct #%d: %+v started=%v err=%v; want started=%v", i+1, dm, started, err, want)
			}
		}
	})
}
