package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/handlers"
)

func (p *person) add(room int64, username string) (*http.Response, string) {
	p.t.Helper()
	return p.post(fmt.Sprintf("/rooms/%d/members", room), url.Values{"_csrf": {p.csrf}, "username": {username}})
}

// Adding someone who is already a member changes nothing, so it must not
// close their sockets (it did, each time: a cheap way to knock someone's
// pages about).
func TestReAddingAMemberKeepsTheirSockets(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		alice, bob := srv.visit(t), srv.visit(t)
		room := alice.createRoom(fmt.Sprintf("readd-%d", time.Now().UnixNano()%1e6), chat.Private)
		alice.enter(room)
		if resp, body := alice.add(room, bob.name); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add %s: %d\n%.300s", bob.name, resp.StatusCode, body)
		}
		bob.enter(room)
		b := bob.dial(-1)
		if resp, body := alice.add(room, bob.name); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add %s again: %d\n%.300s", bob.name, resp.StatusCode, body)
		}
		// The add has answered, so a close of bob's socket would be on its
		// way: what comes next must be alice's message, not a close.
		a := alice.dial(-1)
		a.send("you are still here")
		if got := b.collect(1, 5*time.Second); got[0].Body != "you are still here" {
			t.Fatalf("bob got %v", got)
		}
	})
}

// Creating rooms, adding people and starting direct conversations share one
// limit per person: past the burst, a clear 429 on the page.
func TestRoomChangesAreRateLimited(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	handlers.RefillRoomChangesHourly(srv.handler)
	alice, bob, carol := srv.visit(t), srv.visit(t), srv.visit(t)
	room := alice.createRoom(fmt.Sprintf("limited-%d", time.Now().UnixNano()%1e6), chat.Private) // 1
	alice.enter(room)
	for i := 1; i < handlers.RoomChangeBurst; i++ {
		if resp, body := alice.add(room, bob.name); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add %d of %d: %d\n%.300s", i+1, handlers.RoomChangeBurst, resp.StatusCode, body)
		}
	}
	checkLimited := func(what string, resp *http.Response, body string) {
		t.Helper()
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "too fast") || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("%s past the burst: %d, Retry-After %q; want 429 with a page that says so\n%.400s",
				what, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	resp, body := alice.add(room, carol.name)
	checkLimited("an add", resp, body)
	if _, member, _ := srv.store.RoomFor(t.Context(), room, userID(t, srv, carol.name)); member {
		t.Fatal("a limited add was made")
	}
	resp, body = alice.post("/rooms", url.Values{"_csrf": {alice.csrf}, "name": {"one-more"}, "kind": {chat.Public}})
	checkLimited("a new room", resp, body)
	resp, body = alice.post("/direct", url.Values{"_csrf": {alice.csrf}, "username": {carol.name}})
	checkLimited("a new direct conversation", resp, body)

	// Someone else is not limited by alice's use.
	bob.enter(room)
	if resp, body := bob.add(room, carol.name); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("bob's first add: %d\n%.300s", resp.StatusCode, body)
	}
}

func userID(t *testing.T, srv *server, name string) int64 {
	t.Helper()
	u, _, err := srv.store.UserByName(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
