package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

// sendKind sends a frame of a kind, as a message's menu form does.
func (s *socket) sendKind(kind string, fields map[string]string) {
	s.t.Helper()
	f := map[string]any{"kind": kind, "_csrf": "x", "headers": map[string]string{"HX-Request": "true"}}
	for k, v := range fields {
		f[k] = v
	}
	b, _ := json.Marshal(f)
	s.sendRaw(b)
}

// until reads frames until one contains want, failing after timeout.
func (s *socket) until(want string, timeout time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		_, b, err := s.conn.Read(ctx)
		cancel()
		if err != nil {
			s.t.Fatalf("%s: waiting for %q: %v", s.who, want, err)
		}
		if strings.Contains(string(b), want) {
			return string(b)
		}
	}
}

func idOf(m shown) string { return fmt.Sprint(m.ID) }

// TestRoomEvents: edits, deletions and reactions over real sockets on both
// backends: who may, who may not (with the same answer for another's
// room as for no message), and everyone sees each change once.
func TestRoomEvents(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		admin, ana, bruno := srv.visit(t), srv.visit(t), srv.visit(t) // the first account is the admin
		start := lastID(t, srv)
		a, b, boss := ana.dial(start), bruno.dial(start), admin.dial(start)

		a.send("ana's words")
		m := a.collect(1, 5*time.Second)[0]
		b.collect(1, 5*time.Second)

		// Bruno may not edit or delete ana's message: only bruno hears why.
		b.sendKind("edit", map[string]string{"id": idOf(m), "body": "bruno was here"})
		if f := b.until(`id="notice"`, 5*time.Second); !strings.Contains(f, "only change your own") {
			t.Fatalf("bruno editing ana's message heard %q", f)
		}
		b.sendKind("delete", map[string]string{"id": idOf(m)})
		b.until("only change your own", 5*time.Second)
		// Ids cannot be probed: a message of a room bruno is not in is
		// "not here", as is one that does not exist.
		secret := privateMessage(t, srv, admin)
		for _, id := range []string{fmt.Sprint(secret.ID), "99999999", "x"} {
			b.sendKind("edit", map[string]string{"id": id, "body": "probe"})
			if f := b.until(`id="notice"`, 5*time.Second); !strings.Contains(f, "not here any more") {
				t.Fatalf("editing message %s of a room bruno is not in: %q", id, f)
			}
		}
		if got, _ := store.Message(context.Background(), secret.RoomID, secret.ID); got.Body != secret.Body {
			t.Fatalf("the private message became %q", got.Body)
		}

		// Ana edits: everyone sees the new text, marked edited.
		a.sendKind("edit", map[string]string{"id": idOf(m), "body": "ana's better words"})
		for _, s := range []*socket{a, b, boss} {
			f := s.until("ana&#39;s better words", 5*time.Second)
			if !strings.Contains(f, `class="edited"`) || !strings.Contains(f, `<hx-partial hx-target="#msg-`+idOf(m)) {
				t.Fatalf("%s: edit frame %q: want the message replaced where shown, marked edited", s.who, f)
			}
		}
		// Bruno reacts; the count and who reacted show for everyone.
		b.sendKind("react", map[string]string{"id": idOf(m), "emoji": "🎉"})
		for _, s := range []*socket{a, b, boss} {
			f := s.until("🎉", 5*time.Second)
			if !strings.Contains(f, `title="`+bruno.name+`"`) {
				t.Fatalf("%s: reaction frame %q lacks who reacted", s.who, f)
			}
		}
		// The admin deletes ana's message: a stub for everyone, the text
		// gone from the database.
		boss.sendKind("delete", map[string]string{"id": idOf(m)})
		for _, s := range []*socket{a, b, boss} {
			f := s.until(`class="msg deleted"`, 5*time.Second)
			if strings.Contains(f, "better words") || strings.Contains(f, "🎉") {
				t.Fatalf("%s: the stub still shows the text or reactions: %q", s.who, f)
			}
		}
		var body string
		if err := store.DB().QueryRow(`SELECT body FROM messages WHERE id = ?`, m.ID).Scan(&body); err != nil || body != "" {
			t.Fatalf("stored body after delete %q, %v", body, err)
		}
	})
}

// privateMessage makes a private room of owner's with a message in it.
func privateMessage(t *testing.T, srv *server, owner *person) chat.Message {
	t.Helper()
	ctx := context.Background()
	u, _, err := srv.store.UserByName(ctx, owner.name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := srv.store.CreateRoom(ctx, fmt.Sprintf("secret-%d", time.Now().UnixNano()%1e6), chat.Private, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	st, err := srv.store.CreateMessages(ctx, []db.NewMessage{{RoomID: r.ID, UserID: u.ID, Key: fmt.Sprintf("secret-key-%d", r.ID), Author: u.Username, Body: "the plan"}})
	if err != nil {
		t.Fatal(err)
	}
	return st[0].Message
}

// TestChangesMadeWhileAwayAreReplayedOnceAsTheyAreNow: a page whose socket
// dropped gets, on reconnecting with its cursor, each message changed
// meanwhile once in its current state (edited three times: sent once, as
// it is now, with the reaction it got), new ones inserted and old ones
// only replaced; also from a new server on the same database (a restart).
func TestChangesMadeWhileAwayAreReplayedOnceAsTheyAreNow(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		ana, bruno := srv.visit(t), srv.visit(t)
		a := ana.dial(lastID(t, srv))
		a.send("one")
		a.send("two")
		got := a.collect(2, 5*time.Second)
		one, two := got[0], got[1]
		cursor, err := store.Cursor(context.Background(), db.GeneralRoom)
		if err != nil {
			t.Fatal(err)
		}
		// Bruno's page has both; his socket is gone while ana changes them.
		for i := range 3 {
			a.sendKind("edit", map[string]string{"id": idOf(one), "body": fmt.Sprintf("one, edit %d", i+1)})
			a.until(fmt.Sprintf("one, edit %d", i+1), 5*time.Second)
		}
		a.sendKind("react", map[string]string{"id": idOf(one), "emoji": "😮"})
		a.until("😮", 5*time.Second)
		a.sendKind("delete", map[string]string{"id": idOf(two)})
		a.until(`class="msg deleted"`, 5*time.Second)
		a.send("three")
		a.collect(1, 5*time.Second)

		check := func(srv *server, who *person) {
			t.Helper()
			b := who.dialAt(cursor, two.ID)
			f := b.until("three", 5*time.Second)
			if n := strings.Count(f, `id="msg-`+idOf(one)+`"`); n != 1 || !strings.Contains(f, "one, edit 3") || strings.Contains(f, "edit 2") || !strings.Contains(f, "😮") {
				t.Fatalf("replay shows message one %d times (want once, as 'one, edit 3' with its reaction): %q", n, f)
			}
			if !strings.Contains(f, `<hx-partial hx-target="#msg-`+idOf(two)+`" hx-swap="outerHTML"><article id="msg-`+idOf(two)+`" class="msg deleted"`) {
				t.Fatalf("replay lacks message two as a stub replacing the shown one: %q", f)
			}
			if i, j := strings.Index(f, "<hx-upsert"), strings.Index(f, "three"); i < 0 || j < i {
				t.Fatalf("the new message is not inserted by upsert: %q", f)
			}
		}
		check(srv, bruno)

		// A restart: a new server (hub, writer, handlers) on the database.
		srv2 := newServer(t, store)
		bruno2 := srv2.visit(t)
		check(srv2, bruno2)
	})
}

// TestMessageFormsWithoutScript: the message's page and its plain-HTTP
// forms make the same changes, with the same rules.
func TestMessageFormsWithoutScript(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		_, ana, bruno := srv.visit(t), srv.visit(t), srv.visit(t)
		a := ana.dial(lastID(t, srv))
		a.send("over http")
		m := a.collect(1, 5*time.Second)[0]
		path := fmt.Sprintf("/rooms/%d/messages/%d", db.GeneralRoom, m.ID)

		page := ana.get(path)
		if !strings.Contains(page, `action="`+path+`/edit"`) || !strings.Contains(page, `action="`+path+`/delete"`) {
			t.Fatalf("the author's page of the message lacks the edit and delete forms")
		}
		if page := bruno.get(path); strings.Contains(page, path+"/edit") || strings.Contains(page, path+"/delete") || !strings.Contains(page, path+"/react") {
			t.Fatalf("another member's page of the message: want only reactions")
		}
		resp, body := bruno.post(path+"/edit", url.Values{"_csrf": {bruno.csrf}, "body": {"hijacked"}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "only change your own") {
			t.Fatalf("bruno's edit over http: %d; want 403 saying why", resp.StatusCode)
		}
		resp, body = ana.post(path+"/edit", url.Values{"_csrf": {ana.csrf}, "body": {strings.Repeat("é", db.MaxMessageLen+1)}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, strings.Repeat("é", db.MaxMessageLen+1)) {
			t.Fatalf("ana's too-long edit over http: %d; want 422 with her text still there", resp.StatusCode)
		}
		resp, _ = ana.post(path+"/edit", url.Values{"_csrf": {ana.csrf}, "body": {"edited over http"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("ana's edit over http: %d, want 303", resp.StatusCode)
		}
		a.until("edited over http", 5*time.Second)
		resp, _ = bruno.post(path+"/react", url.Values{"_csrf": {bruno.csrf}, "emoji": {"👍"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("bruno's reaction over http: %d, want 303", resp.StatusCode)
		}
		a.until("👍", 5*time.Second)
		if status, _ := bruno.getStatus(fmt.Sprintf("/rooms/%d/messages/%d", db.GeneralRoom, 99999999)); status != http.StatusNotFound {
			t.Fatalf("a message that is not there: %d, want 404", status)
		}
		secret := privateMessage(t, srv, ana)
		if status, _ := bruno.getStatus(fmt.Sprintf("/rooms/%d/messages/%d", secret.RoomID, secret.ID)); status != http.StatusNotFound {
			t.Fatalf("a message of a room bruno is not in: %d, want 404", status)
		}
		if status, _ := bruno.getStatus(fmt.Sprintf("/rooms/%d/messages/%d", db.GeneralRoom, secret.ID)); status != http.StatusNotFound {
			t.Fatalf("a private message's id under a room bruno is in: %d, want 404", status)
		}
	})
}

// TestTypingAndPresence: typing reaches the room at most once every two
// seconds a person; presence comes when a person's first socket opens and
// goes (after a short grace) when the last closes.
func TestTypingAndPresence(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	ana, bruno := srv.visit(t), srv.visit(t)
	a := ana.dial(-1)
	b := bruno.dial(-1)
	a.until(`data-name="`+bruno.name+`"`, 5*time.Second) // bruno came online

	b.sendKind("typing", nil)
	b.sendKind("typing", nil) // within 2 s: dropped
	a.until(`id="typing-`, 5*time.Second)
	b.send("done typing")
	f := a.until("done typing", 5*time.Second)
	if !strings.Contains(f, `hx-swap-oob="delete"></b>`) {
		t.Fatalf("a message does not end its author's typing mark: %q", f)
	}
	// The second typing event was dropped: no other typing frame came
	// before the message.

	b.conn.Close(1000, "")
	f = a.until(`id="online-`, 10*time.Second)
	if !strings.Contains(f, `hx-swap-oob="delete"`) {
		t.Fatalf("bruno's leaving: %q, want his online entry deleted", f)
	}
}

// TestMemberListMarksWhoIsOnline: the member list marks the people with a
// socket open, and only them.
func TestMemberListMarksWhoIsOnline(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	ana, bruno := srv.visit(t), srv.visit(t)
	ana.dial(-1)
	page := bruno.get(fmt.Sprintf("/rooms/%d/members", db.GeneralRoom))
	anaID, brunoID := userID(t, srv, ana.name), userID(t, srv, bruno.name)
	online := func(id int64) bool {
		i := strings.Index(page, fmt.Sprintf(`id="member-%d-%d"`, db.GeneralRoom, id))
		if i < 0 {
			t.Fatalf("no member item for %d", id)
		}
		item := page[i:]
		item = item[:strings.Index(item, "</li>")]
		return strings.Contains(item, `class="presence" data-online`)
	}
	if !online(anaID) || online(brunoID) {
		t.Fatalf("online marks: ana %v (has a socket), bruno %v (has none); want true, false", online(anaID), online(brunoID))
	}
}

// TestOnlineListAtConnectIsCurrent: the list a connecting page gets is
// rendered once for the room and kept, so it must be dropped whenever
// someone comes or goes; a page that connects after either sees it.
func TestOnlineListAtConnectIsCurrent(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	ana, bruno, carla, dora := srv.visit(t), srv.visit(t), srv.visit(t), srv.visit(t)
	listOf := func(p *person) (*socket, string) {
		t.Helper()
		conn, first, err := p.dialFirst("", srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		at := strings.Index(first, `<ul id="online"`)
		if at < 0 {
			t.Fatalf("%s's first frame has no online list: %q", p.name, first)
		}
		return &socket{t: t, conn: conn, who: p.name}, first[at:]
	}
	shows := func(list string, p *person) bool { return strings.Contains(list, `data-name="`+p.name+`"`) }

	a, _ := listOf(ana)
	listOf(ana) // a second tab of ana's: nobody came, the kept list is used
	_, list := listOf(carla)
	if !shows(list, ana) || !shows(list, carla) {
		t.Fatalf("carla's list at connect: %q, want ana and carla", list)
	}
	b, list := listOf(bruno)
	if !shows(list, ana) || !shows(list, bruno) || !shows(list, carla) {
		t.Fatalf("bruno's list at connect: %q, want ana, bruno and carla", list)
	}
	b.conn.Close(1000, "")
	a.until(`hx-swap-oob="delete"></li>`, 10*time.Second) // bruno went, after the grace
	_, list = listOf(dora)
	if shows(list, bruno) || !shows(list, dora) || !shows(list, ana) {
		t.Fatalf("dora's list after bruno left: %q, want ana, carla and dora, not bruno", list)
	}
}
