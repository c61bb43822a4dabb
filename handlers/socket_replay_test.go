package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/handlers"
)

// seedMore stores n messages in #general with keys of their own.
func seedMore(t *testing.T, store *db.Store, prefix string, n int) {
	t.Helper()
	for done := 0; done < n; {
		batch := make([]db.NewMessage, 0, min(500, n-done))
		for range cap(batch) {
			batch = append(batch, db.NewMessage{RoomID: db.GeneralRoom, Key: fmt.Sprintf("%s-%08d", prefix, done), Author: "seeder", Body: fmt.Sprintf("%s %d", prefix, done)})
			done++
		}
		if _, err := store.CreateMessages(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
}

// A page that missed more than MaxReplay messages is told to reload (and
// then shows the newest page) instead of being sent the room's past: one
// ?after=0 on a big room used to stream all of it on every connect.
func TestReplayIsCappedAndTellsThePageToReload(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		seedMore(t, store, "past", handlers.MaxReplay)
		p := srv.visit(t)

		// Up to the cap, everything missed is replayed.
		if got := p.dial(0).collect(handlers.MaxReplay, 20*time.Second); len(got) != handlers.MaxReplay {
			t.Fatalf("replayed %d, want %d", len(got), handlers.MaxReplay)
		}

		seedMore(t, store, "one-more", 1)
		s := p.dial(0)
		frame := s.read(10 * time.Second)
		if got := parseMessages(frame); len(got) > 0 || !strings.Contains(frame, "data-reload") {
			t.Fatalf("%d missed, over the cap of %d: got a frame of %d bytes with %d messages; want only the reload signal:\n%.300s",
				handlers.MaxReplay+1, handlers.MaxReplay, len(frame), len(got), frame)
		}
		// Nothing else comes: the page reloads rather than catch up.
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		if _, b, err := s.conn.Read(ctx); ctx.Err() == nil {
			t.Fatalf("after the reload signal: %.200q, %v; want nothing", b, err)
		}
	})
}
