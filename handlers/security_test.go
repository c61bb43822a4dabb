package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/handlers"
	"github.com/coder/websocket"
)

// createRoom has p create a room through the form and returns its id.
func createRoom(t *testing.T, p *person, name, kind string) int64 {
	t.Helper()
	resp, _ := p.post("/rooms", url.Values{"_csrf": {p.csrf}, "name": {name}, "kind": {kind}})
	var id int64
	if _, err := fmt.Sscanf(resp.Header.Get("Location"), "/rooms/%d", &id); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create room %s: status %d, location %q", name, resp.StatusCode, resp.Header.Get("Location"))
	}
	return id
}

// privateRoom has owner create a private room, say something in it and
// return its id and the secret text.
func privateRoom(t *testing.T, owner *person, name string) (int64, string) {
	t.Helper()
	id := createRoom(t, owner, name, "private")
	owner.enter(id)
	secret := "the secret of " + name
	s := owner.dial(-1)
	s.send(secret)
	s.collect(1, 5*time.Second)
	return id, secret
}

func TestNobodyReadsWhatIsNotTheirs(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		owner, outsider := srv.visit(t), srv.visit(t)
		room, secret := privateRoom(t, owner, "vault")
		signedOut := srv.stranger(t)

		paths := []string{
			fmt.Sprintf("/rooms/%d", room),
			fmt.Sprintf("/rooms/%d?before=999999", room),
			fmt.Sprintf("/rooms/%d/messages?before=999999", room),
		}
		for _, path := range paths {
			status, body := outsider.getStatus(path)
			if status != http.StatusNotFound || strings.Contains(body, secret) {
				t.Errorf("non-member GET %s: status %d (want 404), text leaked: %v", path, status, strings.Contains(body, secret))
			}
			status, body = signedOut.getStatus(path)
			if status != http.StatusSeeOther || strings.Contains(body, secret) {
				t.Errorf("signed-out GET %s: status %d (want 303 to sign in), text leaked: %v", path, status, strings.Contains(body, secret))
			}
		}
		// A private room's id answers exactly like an id that does not exist.
		statusNone, bodyNone := outsider.getStatus("/rooms/987654")
		statusPriv, bodyPriv := outsider.getStatus(fmt.Sprintf("/rooms/%d", room))
		if statusNone != statusPriv || bodyNone != bodyPriv {
			t.Errorf("a private room (%d) answers differently from no room (%d): ids can be probed", statusPriv, statusNone)
		}

		outsider.room = room
		if _, err := outsider.dialErr(0, srv.URL); err == nil || !strings.Contains(err.Error(), "404") {
			t.Errorf("non-member socket: err = %v, want 404", err)
		}
		signedOut.room = room
		if _, err := signedOut.dialErr(0, srv.URL); err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("signed-out socket: err = %v, want 401", err)
		}

		// Sending into a room one is not in, over HTTP, is refused and stores nothing.
		resp, body := outsider.post(fmt.Sprintf("/rooms/%d/messages", room), url.Values{"_csrf": {outsider.csrf}, "key": {"intruder-key-1"}, "body": {"let me in"}})
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, secret) {
			t.Errorf("non-member send: status %d, want 404", resp.StatusCode)
		}
		// Nor can one add oneself.
		resp, _ = outsider.post(fmt.Sprintf("/rooms/%d/members", room), url.Values{"_csrf": {outsider.csrf}, "username": {outsider.name}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("non-member adding themselves: status %d, want 404", resp.StatusCode)
		}
		// Nor join it as if it were public.
		resp, _ = outsider.post(fmt.Sprintf("/rooms/%d/join", room), url.Values{"_csrf": {outsider.csrf}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("non-member joining a private room: status %d, want 404", resp.StatusCode)
		}
		msgs, _ := store.MessagesAfter(context.Background(), room, 0, 10)
		if len(msgs) != 1 {
			t.Errorf("the private room holds %d messages, want only the owner's", len(msgs))
		}
		// The outsider's sidebar does not list it.
		if page := outsider.enter(db.GeneralRoom); strings.Contains(page, "vault") || strings.Contains(page, secret) {
			t.Error("the private room shows on an outsider's page")
		}

		// Once added, the outsider may read it.
		resp, _ = owner.post(fmt.Sprintf("/rooms/%d/members", room), url.Values{"_csrf": {owner.csrf}, "username": {outsider.name}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("adding a member: status %d", resp.StatusCode)
		}
		if page := outsider.enter(room); !strings.Contains(page, secret) {
			t.Error("an added member cannot read the room")
		}
	})
}

func TestPublicRoomsMustBeJoinedToRead(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	owner, visitor := srv.visit(t), srv.visit(t)
	room := createRoom(t, owner, "lobby", "public")
	owner.enter(room)
	s := owner.dial(-1)
	s.send("public words")
	s.collect(1, 5*time.Second)

	page := visitor.enter(room)
	if strings.Contains(page, "public words") || !strings.Contains(page, "Join #lobby") {
		t.Fatal("a non-member sees a public room's messages, or no way to join")
	}
	if status, _ := visitor.getStatus(fmt.Sprintf("/rooms/%d/messages?before=999999", room)); status != http.StatusForbidden {
		t.Errorf("non-member older page: status %d, want 403", status)
	}
	if _, err := visitor.dialErr(0, srv.URL); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("non-member socket: err = %v, want 403", err)
	}
	resp, _ := visitor.post(fmt.Sprintf("/rooms/%d/join", room), url.Values{"_csrf": {visitor.csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("join: status %d", resp.StatusCode)
	}
	if page := visitor.enter(room); !strings.Contains(page, "public words") {
		t.Fatal("a member cannot read the public room")
	}
	// Leaving closes the person's sockets; reconnecting to the room is refused.
	live := visitor.dial(-1)
	resp, _ = visitor.post(fmt.Sprintf("/rooms/%d/leave", room), url.Values{"_csrf": {visitor.csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("leave: status %d", resp.StatusCode)
	}
	if code := live.closeStatus(5 * time.Second); code != websocket.StatusServiceRestart {
		t.Fatalf("socket after leaving: close %d, want 1012", code)
	}
	if _, err := visitor.dialErr(0, srv.URL); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("socket after leaving: err = %v, want 403", err)
	}
}

func TestDirectConversationsAreForTwo(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	a, b, c := srv.visit(t), srv.visit(t), srv.visit(t)
	resp, _ := a.post("/direct", url.Values{"_csrf": {a.csrf}, "username": {b.name}})
	var room int64
	fmt.Sscanf(resp.Header.Get("Location"), "/rooms/%d", &room)
	if room == 0 {
		t.Fatalf("start direct: status %d", resp.StatusCode)
	}
	if page := b.enter(room); !strings.Contains(page, "@"+a.name) {
		t.Fatal("b's direct room with a is not labelled with a's name")
	}
	if status, _ := c.getStatus(fmt.Sprintf("/rooms/%d", room)); status != http.StatusNotFound {
		t.Errorf("a third person opening a direct room: status %d, want 404", status)
	}
	b.enter(room)
	resp, _ = b.post(fmt.Sprintf("/rooms/%d/members", room), url.Values{"_csrf": {b.csrf}, "username": {c.name}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("adding a third person to a direct room: status %d, want 403", resp.StatusCode)
	}
}

func TestSignOutEndsTheSessionEverywhere(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		p := srv.visit(t)
		u, _ := url.Parse(srv.URL)
		var session *http.Cookie
		for _, c := range p.client.Jar.Cookies(u) {
			if c.Name == "charla_session" {
				session = c
			}
		}
		live := p.dial(-1)
		resp, _ := p.post("/signout", url.Values{"_csrf": {p.csrf}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign out: status %d", resp.StatusCode)
		}
		if code := live.closeStatus(5 * time.Second); code != websocket.StatusServiceRestart {
			t.Errorf("open socket after sign-out: close %d, want 1012", code)
		}
		// The old cookie, replayed, no longer signs anyone in.
		p.client.Jar.SetCookies(u, []*http.Cookie{session})
		if status, _ := p.getStatus("/rooms/1"); status != http.StatusSeeOther {
			t.Errorf("page with a signed-out session cookie: status %d, want 303 to sign in", status)
		}
		if _, err := p.dialErr(0, srv.URL); err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("socket with a signed-out session cookie: err = %v, want 401", err)
		}
		// A forged cookie is refused too.
		p.client.Jar.SetCookies(u, []*http.Cookie{{Name: "charla_session", Value: "forged.c2lnbmF0dXJl", Path: "/"}})
		if status, _ := p.getStatus("/rooms/1"); status != http.StatusSeeOther {
			t.Errorf("page with a forged session cookie: status %d, want 303", status)
		}
	})
}

func TestSignInIsRateLimited(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	victim := srv.visit(t)
	attacker := srv.stranger(t)
	limited := 0
	for i := range 8 {
		resp, body := attacker.post("/signin", url.Values{"_csrf": {attacker.csrf}, "username": {victim.name}, "password": {fmt.Sprintf("guess-%d-guess", i)}})
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			if !strings.Contains(body, "Wrong username or password") {
				t.Fatal("a wrong password does not say so")
			}
		case http.StatusTooManyRequests:
			limited++
		default:
			t.Fatalf("wrong password: status %d", resp.StatusCode)
		}
	}
	if limited < 3 {
		t.Fatalf("8 wrong passwords in a row: %d refused as too many, want at least 3", limited)
	}
	// The right password is refused too while the limit holds.
	resp, _ := attacker.post("/signin", url.Values{"_csrf": {attacker.csrf}, "username": {victim.name}, "password": {"correct horse battery"}})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password during the limit: status %d, want 429", resp.StatusCode)
	}
	// Another account is not locked by this one's limit.
	other := srv.visit(t)
	fresh := srv.stranger(t)
	resp, _ = fresh.post("/signin", url.Values{"_csrf": {fresh.csrf}, "username": {other.name}, "password": {"correct horse battery"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another account's sign-in: status %d, want 303", resp.StatusCode)
	}
}

func TestSignUpRules(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	first := srv.visit(t)
	if status, _ := first.getStatus("/admin/invites"); status != http.StatusOK {
		t.Fatalf("the first account is not the admin: /admin/invites %d", status)
	}
	second := srv.visit(t)
	if status, _ := second.getStatus("/admin/invites"); status != http.StatusNotFound {
		t.Fatalf("a later account sees the admin page: %d", status)
	}
	p := srv.stranger(t)
	for _, tc := range []struct{ username, password, want string }{
		{"<img src=x>", "long enough pw", "Usernames are 3 to 32"},
		{"ok-name", "short", "Passwords are 8 to 128"},
		{strings.ToUpper(first.name), "long enough pw", "That username is taken"},
	} {
		_, body := p.post("/signup", url.Values{"_csrf": {p.csrf}, "username": {tc.username}, "password": {tc.password}})
		if !strings.Contains(body, tc.want) {
			t.Errorf("sign up %q/%q: page lacks %q", tc.username, tc.password, tc.want)
		}
		if strings.Contains(body, "<img src=x>") {
			t.Error("a username with markup came back as markup")
		}
	}
}

var inviteLinkRe = regexp.MustCompile(`/signup\?invite=([A-Z0-9]+)`)

func TestInviteOnlySignUp(t *testing.T) {
	srv := newServerWith(t, dbtest.File(t), handlers.Config{Signup: handlers.SignupInvite})
	// The very first account needs no invite: it is the admin, who makes them.
	admin := srv.visit(t)
	p := srv.stranger(t)
	resp, _ := p.post("/signup", url.Values{"_csrf": {p.csrf}, "username": {"newcomer"}, "password": {"long enough pw"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign up without an invite: status %d, want 403", resp.StatusCode)
	}
	m := inviteLinkRe.FindStringSubmatch(makeInvite(t, admin))
	resp, _ = p.post("/signup", url.Values{"_csrf": {p.csrf}, "invite": {m[1]}, "username": {"newcomer"}, "password": {"long enough pw"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign up with an invite: status %d, want 303", resp.StatusCode)
	}
	q := srv.stranger(t)
	resp, _ = q.post("/signup", url.Values{"_csrf": {q.csrf}, "invite": {m[1]}, "username": {"second-comer"}, "password": {"long enough pw"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an invite used twice: status %d, want 403", resp.StatusCode)
	}
}

// A burst over the send limit on the socket is paced, not refused: every
// message is stored, once, in order, no faster than the limit. (Before,
// all past the burst came back as "slow down" forms.) The plain-HTTP
// form, which cannot be held, is refused with its text kept.
func TestSendingIsRateLimitedWithTheTextKept(t *testing.T) {
	srv := newServerWith(t, dbtest.File(t), handlers.Config{SendRate: 2})
	p := srv.visit(t)
	s := p.dial(-1)
	start := time.Now()
	var want []string
	for i := range 10 {
		want = append(want, fmt.Sprintf("flood %d", i))
		s.send(want[i])
	}
	var got []shown
	for len(got) < 10 {
		frame := s.read(10 * time.Second)
		if strings.Contains(frame, "Slow down") {
			t.Fatalf("a burst was refused instead of paced: %s", frame)
		}
		got = append(got, parseMessages(frame)...)
	}
	assertInOrderOnce(t, got, want)
	// Bursts of 4, then 2 a second: the last six take 3 s.
	if took := time.Since(start); took < 2500*time.Millisecond {
		t.Errorf("10 sends at 2/s (bursts of 4) were all stored within %v: not limited", took)
	}

	resp, page := p.post("/rooms/1/messages", url.Values{"_csrf": {p.csrf}, "key": {nextKey()}, "body": {"over http, too fast"}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "Slow down") || !strings.Contains(page, ">over http, too fast</textarea>") {
		t.Errorf("an HTTP send with no token left: %d, want 429 saying slow down with the text kept", resp.StatusCode)
	}
}

func TestUnreadCountsUpdateLive(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	a, b := srv.visit(t), srv.visit(t)
	room := createRoom(t, a, "side-room", "public")
	b.enter(room)
	b.post(fmt.Sprintf("/rooms/%d/join", room), url.Values{"_csrf": {b.csrf}})
	b.enter(room)
	bSide := b.dial(-1) // b's other tab, on the side room
	b.enter(db.GeneralRoom)
	watcher := b.dial(-1) // b looks at #general

	a.enter(room)
	s := a.dial(-1)
	badge := func(n string) string {
		return fmt.Sprintf(`<span id="unread-%d" class="unread" data-label=" unread" hx-swap-oob="outerHTML">%s</span>`, room, n)
	}
	expect := func(n string) {
		t.Helper()
		// Other frames may come first (none is expected, but none is
		// wrong unless it shows the room's text or another count).
		for {
			frame := watcher.read(5 * time.Second)
			if strings.Contains(frame, "side-room talk") {
				t.Fatalf("b's #general page got the side room's text: %q", frame)
			}
			if strings.Contains(frame, badge(n)) {
				return
			}
			if strings.Contains(frame, fmt.Sprintf(`id="unread-%d"`, room)) {
				t.Fatalf("b's #general page got %q, want the side room's unread badge at %s", frame, n)
			}
			t.Logf("b's #general page got another frame first: %q", frame)
		}
	}
	s.send("side-room talk 1")
	expect("1")
	s.send("side-room talk 2")
	expect("2")
	// b's own message, from the other tab, is not unread for b: nothing
	// about it reaches the #general page before b's next message there.
	bSide.send("side-room talk from b")
	bSide.collect(3, 5*time.Second)
	watcher.send("sentinel in general")
	for {
		frame := watcher.read(5 * time.Second)
		if strings.Contains(frame, "unread-") {
			t.Fatalf("b's own message counted as unread: %q", frame)
		}
		if strings.Contains(frame, "sentinel in general") {
			break
		}
	}
	s.send("side-room talk 3")
	expect("3")
}
