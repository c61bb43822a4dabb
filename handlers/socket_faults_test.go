package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/handlers"
)

// leavingStore answers the second Rooms read after it is armed as if the
// person had left room in between: the socket checks membership with one
// read and fills the sidebar with another.
type leavingStore struct {
	handlers.Store
	mu    sync.Mutex
	room  int64 // armed: the room to leave between the two reads
	calls int
}

func (s *leavingStore) arm(room int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.room, s.calls = room, 0
}

func (s *leavingStore) Rooms(ctx context.Context, userID int64) ([]chat.RoomSummary, error) {
	rooms, err := s.Store.Rooms(ctx, userID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.room == 0 || err != nil {
		return rooms, err
	}
	if s.calls++; s.calls == 2 {
		var kept []chat.RoomSummary
		for _, r := range rooms {
			if r.ID != s.room {
				kept = append(kept, r)
			}
		}
		rooms, s.room = kept, 0
	}
	return rooms, nil
}

// createRoom makes a room as the person and returns its id.
func (p *person) createRoom(name, kind string) int64 {
	p.t.Helper()
	resp, body := p.post("/rooms", url.Values{"_csrf": {p.csrf}, "name": {name}, "kind": {kind}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/rooms/") {
		p.t.Fatalf("create room %s: %d %s\n%.300s", name, resp.StatusCode, loc, body)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/rooms/"), 10, 64)
	if err != nil {
		p.t.Fatalf("create room %s: Location %q", name, loc)
	}
	return id
}

// A leave between the socket's membership check and its sidebar read (the
// second read then has one room, not the one connected to) must not crash
// the socket: it used to write to a map made only for more than one room.
func TestSocketSurvivesALeaveBetweenItsTwoReads(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		ls := &leavingStore{Store: store}
		srv := newServerWith(t, store, handlers.Config{Store: ls})
		p := srv.visit(t)
		room := p.createRoom("leaving-"+strconv.Itoa(int(time.Now().UnixNano()%1e6)), chat.Private)
		p.enter(room)
		ls.arm(room)
		s := p.dial(-1)
		s.send("still here")
		if got := s.collect(1, 5*time.Second); got[0].Body != "still here" {
			t.Fatalf("got %v, want the message just sent", got)
		}
	})
}
