package handlers_test

import (
	"context"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/coder/websocket"
)

// TestMessageSentDuringTheCloseIsStoredOnceAfterResend: a frame that
// reaches the server after it sent its close (the person's rooms changed,
// a graceful stop) may be dropped unanswered. What saves the message is the
// page: it sends its unanswered messages again on reconnect, with their
// keys (charla.js; charla-load does the same). Whether the first copy was
// stored or dropped, the message is stored once and shown once.
func TestMessageSentDuringTheCloseIsStoredOnceAfterResend(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p := srv.visit(t)
	s := p.dial(-1)
	s.send("before the close")
	first := s.collect(1, 5*time.Second)[0]

	// Creating a room changes p's rooms: the server closes p's sockets
	// (1012). This client has not read the close frame, so the frame it
	// sends now crosses it.
	createRoom(t, p, "elsewhere", "public")
	key := nextKey()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.conn.Write(ctx, websocket.MessageText, []byte(`{"body":"during the close","key":"`+key+`"}`))
	if code := s.closeStatus(5 * time.Second); code != websocket.StatusServiceRestart {
		t.Fatalf("close code %d, want 1012", code)
	}
	stored, err := srv.store.MessagesAfter(ctx, db.GeneralRoom, first.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the frame sent during the close was stored: %v", len(stored) == 1)

	// The page reconnects with ?after=<newest it holds> and sends its
	// pending message again; then, say, a second tab does the same.
	for range 2 {
		r := p.dial(first.ID)
		r.sendKey(key, "during the close")
		got := r.collect(1, 5*time.Second)
		if got[0].Body != "during the close" {
			t.Fatalf("after the reconnect the page got %+v, want the message sent during the close", got)
		}
	}
	stored, err = srv.store.MessagesAfter(ctx, db.GeneralRoom, first.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || stored[0].Key != key {
		t.Fatalf("stored after the close: %+v, want the one message with key %s", stored, key)
	}
}
