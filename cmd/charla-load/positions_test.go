package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/charla/charla/chat"
	"github.com/charla/charla/views"
)

// msg is message id of the room as it is after its change at pos.
func msg(id, pos int64, body string, reactions ...chat.Reaction) chat.Message {
	return chat.Message{ID: id, RoomID: 1, Pos: pos, UserID: 1, Key: "k" + body, Author: "ana",
		Body: body, CreatedAt: time.Unix(1, 0), Reactions: reactions}
}

func render(t *testing.T, c templ.Component) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// frames renders what a client reads, as the server renders it: a new
// message by upsert, a change by partial.
func frames(t *testing.T, fs ...chat.Message) [][]byte {
	var out [][]byte
	seen := map[int64]bool{}
	for _, m := range fs {
		if seen[m.ID] {
			out = append(out, render(t, views.ChangedFrame([]chat.Message{m})))
		} else {
			out = append(out, render(t, views.MessagesFrame([]chat.Message{m})))
		}
		seen[m.ID] = true
	}
	return out
}

var thumbs = chat.Reaction{Emoji: "👍", People: []chat.Reactor{{ID: 1, Name: "ana"}}}

// The checks a run makes of every client's room positions and final
// states must be able to fail: a duplicated, a missing and an
// out-of-order position are each caught, and so is a last state read that
// is not the database's, while a clean stream of posts, edits and
// reactions passes.
func TestPositionChecksCatchDuplicateMissingAndOutOfOrder(t *testing.T) {
	a1, b2 := msg(1, 1, "load s=0 n=0 t=1"), msg(2, 2, "load s=0 n=1 t=2")
	a3 := msg(1, 3, "load s=0 n=0 t=1 e=1")                        // a1 edited
	b4 := msg(2, 4, "load s=0 n=1 t=2", thumbs)                    // b2 reacted to
	c5 := msg(3, 5, "load s=1 n=0 t=3")                            // a third message
	room := []chat.Message{a3, b4, c5}                             // the database at the end
	stale := []chat.Message{a3, msg(2, 4, "load s=0 n=1 t=2"), c5} // b4 without its reaction
	cases := []struct {
		name         string
		read         []chat.Message
		reconnected  bool
		db           []chat.Message
		dup, order   int
		missing      int64
		skipped      int64
		mismatch     int
		messagesRead int64
	}{
		{name: "clean", read: []chat.Message{a1, b2, a3, b4, c5}, db: room, messagesRead: 3},
		{name: "duplicate", read: []chat.Message{a1, b2, a3, a3, b4, c5}, db: room, dup: 1, messagesRead: 3},
		{name: "missing", read: []chat.Message{a1, b2, b4, c5}, db: room, missing: 1, mismatch: 1, messagesRead: 3},
		{name: "out of order", read: []chat.Message{a1, b2, b4, a3, c5}, db: room, order: 1, messagesRead: 3},
		{name: "state differs", read: []chat.Message{a1, b2, a3, b4, c5}, db: stale, mismatch: 1, messagesRead: 3},
		{name: "last one missing", read: []chat.Message{a1, b2, a3, b4}, db: room, missing: 1, mismatch: 1, messagesRead: 2},
		// After a reconnect the replay sends a message once as it is now:
		// a superseded position (3, a1's edit, superseded by none here: a3
		// is current) must still come; 1 and 2 were superseded by 3 and 4.
		{name: "replay skips superseded", read: []chat.Message{a3, b4, c5}, reconnected: true, db: room, skipped: 2, messagesRead: 3},
		{name: "replay misses a current one", read: []chat.Message{a1, b2, b4, c5}, reconnected: true, db: room, missing: 1, mismatch: 1, messagesRead: 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var tl tally
			tl.pos.start(0)
			tl.confirmation = func([]byte) bool { return false }
			for _, f := range frames(t, tc.read...) {
				tl.take(f, time.Now())
			}
			state := roomState{known: true, msgs: tc.db, current: map[int64]bool{}}
			for _, m := range tc.db {
				state.newest = max(state.newest, m.Pos)
				state.current[m.Pos] = true
			}
			v := tl.pos.check(state, tc.reconnected)
			if tl.pos.duplicates != tc.dup || tl.pos.outOfOrder != tc.order || v.missing != tc.missing ||
				v.skipped != tc.skipped || v.mismatch != tc.mismatch {
				t.Errorf("duplicates %d, out of order %d, missing %d, skipped %d, states differing %d; want %d, %d, %d, %d, %d",
					tl.pos.duplicates, tl.pos.outOfOrder, v.missing, v.skipped, v.mismatch,
					tc.dup, tc.order, tc.missing, tc.skipped, tc.mismatch)
			}
			if got := tl.received.Load(); got != tc.messagesRead {
				t.Errorf("%d messages counted as read, want %d (a change to a message is no new message)", got, tc.messagesRead)
			}
			if v.expected != 5 {
				t.Errorf("%d positions expected, want 5", v.expected)
			}
		})
	}
}

// A message the server confirms again to the client that sent it again
// (after a reconnect) is no duplicate; the same article otherwise is.
func TestPositionChecksExcuseConfirmationsOfResentMessages(t *testing.T) {
	a1 := msg(1, 1, "load s=0 n=0 t=1")
	for _, resent := range []bool{true, false} {
		var tl tally
		tl.pos.start(0)
		tl.confirmation = func(key []byte) bool { return resent && string(key) == a1.Key }
		f := render(t, views.MessagesFrame([]chat.Message{a1}))
		tl.take(f, time.Now())
		tl.take(f, time.Now())
		if want := map[bool]int{true: 0, false: 1}[resent]; tl.pos.duplicates != want {
			t.Errorf("resent %v: %d duplicates, want %d", resent, tl.pos.duplicates, want)
		}
	}
}
