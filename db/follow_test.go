package db_test

import (
	"context"
	"testing"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

// TestRoomHeads: each room's newest position and message id, in one read;
// zeros for a room without messages, nothing for a room that is not.
func TestRoomHeads(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, "ana", "x")
		if err != nil {
			t.Fatal(err)
		}
		quiet, err := s.CreateRoom(ctx, "quiet", "public", u.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := s.CreateMessages(ctx, []db.NewMessage{
			{RoomID: db.GeneralRoom, UserID: u.ID, Key: "heads-key-0001", Author: "ana", Body: "one"},
			{RoomID: db.GeneralRoom, UserID: u.ID, Key: "heads-key-0002", Author: "ana", Body: "two"},
		})
		if err != nil {
			t.Fatal(err)
		}
		heads, err := s.RoomHeads(ctx, []int64{db.GeneralRoom, quiet.ID, 999})
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]db.RoomHead{db.GeneralRoom: {Pos: 2, Newest: stored[1].Message.ID}, quiet.ID: {}}
		if len(heads) != len(want) || heads[db.GeneralRoom] != want[db.GeneralRoom] || heads[quiet.ID] != want[quiet.ID] {
			t.Fatalf("heads %v, want %v", heads, want)
		}
	})
}
