package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

// mentionRooms makes a reader and a writer, rooms rooms with both in them,
// and n messages from the writer in each after the reader's read mark,
// every every-th of which mentions the reader.
func mentionRooms(t testing.TB, s *db.Store, rooms, n, every int) (reader int64) {
	t.Helper()
	ctx := context.Background()
	r, err := s.CreateUser(ctx, "reader", "x")
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.CreateUser(ctx, "writer", "x")
	if err != nil {
		t.Fatal(err)
	}
	for i := range rooms {
		room, err := s.CreateRoom(ctx, fmt.Sprintf("room-%d", i), "public", w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Join(ctx, room.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		var batch []db.NewMessage
		for j := range n {
			body := fmt.Sprintf("message %d of a talk about nothing much at all", j)
			if j%every == 0 {
				body = fmt.Sprintf("@reader message %d", j)
			}
			batch = append(batch, db.NewMessage{RoomID: room.ID, UserID: w.ID, Key: fmt.Sprintf("m-%d-%08d", i, j), Author: "writer", Body: body})
			if len(batch) == 500 || j == n-1 {
				if _, err := s.CreateMessages(ctx, batch); err != nil {
					t.Fatal(err)
				}
				batch = batch[:0]
			}
		}
	}
	return r.ID
}

// TestUnreadMentioningLooksAtARoomsNewestOnly: someone back after a long
// time costs a bounded scan: only the newest MentionScan messages of a
// room are read for mentions.
func TestUnreadMentioningLooksAtARoomsNewestOnly(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		reader := mentionRooms(t, s, 1, db.MentionScan+20, 1)
		got, err := s.UnreadMentioning(context.Background(), reader, "reader")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != db.MentionScan {
			t.Errorf("got %d messages, want the newest %d", len(got), db.MentionScan)
		}
	})
}

// BenchmarkUnreadMentioning reads the unread mentions of someone with ten
// rooms of 2,000 unread messages each, one in twenty mentioning them: the
// worst a page load or socket pays (each room's window is full).
func BenchmarkUnreadMentioning(b *testing.B) {
	s := dbtest.File(b)
	reader := mentionRooms(b, s, 10, 2000, 20)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		got, err := s.UnreadMentioning(ctx, reader, "reader")
		if err != nil || len(got) != 10*db.MentionScan/20 {
			b.Fatalf("got %d, %v; want %d", len(got), err, 10*db.MentionScan/20)
		}
	}
}

// BenchmarkRoomsWithUnread is the sidebar's own read in the same rooms,
// to compare with.
func BenchmarkRoomsWithUnread(b *testing.B) {
	s := dbtest.File(b)
	reader := mentionRooms(b, s, 10, 2000, 20)
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Rooms(ctx, reader); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnreadMentioningAllRead is the usual case: ten rooms of 2,000
// messages, all read.
func BenchmarkUnreadMentioningAllRead(b *testing.B) {
	s := dbtest.File(b)
	reader := mentionRooms(b, s, 10, 2000, 20)
	ctx := context.Background()
	if _, err := s.DB().ExecContext(ctx, `UPDATE memberships SET last_read_id = (SELECT MAX(id) FROM messages) WHERE user_id = ?`, reader); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if got, err := s.UnreadMentioning(ctx, reader, "reader"); err != nil || len(got) != 0 {
			b.Fatalf("got %d, %v; want none", len(got), err)
		}
	}
}
