package handlers_test

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/handlers"
)

// forwardedFor sends every request as if a proxy in front had forwarded it
// for addr (and, with proto, over that scheme).
type forwardedFor struct {
	addr, proto string
}

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.addr)
	if f.proto != "" {
		r.Header.Set("X-Forwarded-Proto", f.proto)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// from has p's requests say, through X-Forwarded-For, that they come from
// addr.
func from(p *person, addr string) *person {
	p.client.Transport = forwardedFor{addr: addr}
	return p
}

// loopbackProxy trusts the test server's peer, 127.0.0.1, as a proxy.
func loopbackProxy(t *testing.T) []*net.IPNet {
	t.Helper()
	_, n, err := net.ParseCIDR("127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	return []*net.IPNet{n}
}

func signIn(p *person, name, password string) (*http.Response, string) {
	p.t.Helper()
	return p.post("/signin", url.Values{"_csrf": {p.csrf}, "username": {name}, "password": {password}})
}

func TestOversizedFormsAreRefusedBeforeAnyLimiter(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p := srv.stranger(t)
	// An 8 MB username is refused by its size, before it is read.
	resp, _ := signIn(p, strings.Repeat("a", 8<<20), "whatever password")
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("sign-in with an 8 MB username: status %d, want 413", resp.StatusCode)
	}
	// A name no account can have never becomes a key of the per-account
	// limiter: trying it again and again is never "too many attempts" for it.
	odd := strings.Repeat("x", 200)
	for i := range 8 {
		resp, body := signIn(p, odd, "whatever password")
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong username or password") {
			t.Fatalf("attempt %d with a %d-character username: status %d, want 401", i+1, len(odd), resp.StatusCode)
		}
	}
	// The composer's form still carries the longest message there is
	// (4-byte characters, percent-encoded), and one character more still
	// gets the inline answer that hands the text back, not a 413.
	q := srv.visit(t)
	longest := strings.Repeat("😀", db.MaxMessageLen)
	resp, _ = q.post(fmt.Sprintf("/rooms/%d/messages", db.GeneralRoom), url.Values{"_csrf": {q.csrf}, "key": {nextKey()}, "body": {longest}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sending the longest message over HTTP: status %d, want 303", resp.StatusCode)
	}
	resp, body := q.post(fmt.Sprintf("/rooms/%d/messages", db.GeneralRoom), url.Values{"_csrf": {q.csrf}, "key": {nextKey()}, "body": {longest + "😀"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "the limit is") {
		t.Fatalf("sending one character too many over HTTP: status %d, want 422 with the text", resp.StatusCode)
	}
	// Anything far larger is refused by its size.
	resp, _ = q.post(fmt.Sprintf("/rooms/%d/messages", db.GeneralRoom), url.Values{"_csrf": {q.csrf}, "key": {nextKey()}, "body": {strings.Repeat("a", 1<<20)}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("sending 1 MB over HTTP: status %d, want 413", resp.StatusCode)
	}
}

// rotate makes n sign-in attempts, each claiming another address, and
// returns how many were refused as too many.
func rotate(t *testing.T, srv *server, n int) int {
	t.Helper()
	p := srv.stranger(t)
	limited := 0
	for i := range n {
		from(p, fmt.Sprintf("198.51.100.%d", i+1))
		// Names no account has, each different, so that only the
		// per-address limit can refuse them.
		resp, _ := signIn(p, fmt.Sprintf("nobody-%d", i), "whatever password")
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
		}
	}
	return limited
}

func TestForwardedForIsIgnoredUnlessFromATrustedProxy(t *testing.T) {
	store := dbtest.File(t)
	// The per-address limit allows bursts of 20: 30 attempts from one
	// connection are limited whatever X-Forwarded-For says…
	if limited := rotate(t, newServer(t, store), 30); limited == 0 {
		t.Errorf("30 sign-ins with a new X-Forwarded-For each: none limited; the header lifted the per-address limit")
	}
	// …unless the connection is a proxy named in TrustedProxies.
	trusted := newServerWith(t, store, handlers.Config{TrustedProxies: loopbackProxy(t)})
	if limited := rotate(t, trusted, 30); limited != 0 {
		t.Errorf("behind a trusted proxy, 30 sign-ins from 30 addresses: %d limited, want 0", limited)
	}
}

func TestSecureCookiesBehindATrustedHTTPSProxy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted bool
		secure  bool
	}{
		{"untrusted peer's X-Forwarded-Proto", false, false},
		{"trusted proxy's X-Forwarded-Proto", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := handlers.Config{}
			if tc.trusted {
				cfg.TrustedProxies = loopbackProxy(t)
			}
			srv := newServerWith(t, dbtest.File(t), cfg)
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/signin", nil)
			resp, err := forwardedFor{addr: "203.0.113.9", proto: "https"}.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			for _, c := range resp.Cookies() {
				if c.Secure != tc.secure {
					t.Errorf("cookie %s: Secure=%v, want %v", c.Name, c.Secure, tc.secure)
				}
			}
			if hsts := resp.Header.Get("Strict-Transport-Security"); (hsts != "") != tc.secure {
				t.Errorf("Strict-Transport-Security %q, want it set: %v", hsts, tc.secure)
			}
		})
	}
}

func TestWrongPasswordsDoNotLockTheOwnerOut(t *testing.T) {
	srv := newServerWith(t, dbtest.File(t), handlers.Config{TrustedProxies: loopbackProxy(t)})
	victim := srv.visit(t)
	attacker := from(srv.stranger(t), "198.51.100.66")
	limited := 0
	for i := range 8 {
		if resp, _ := signIn(attacker, victim.name, fmt.Sprintf("guess-%d-guess", i)); resp.StatusCode == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("8 wrong passwords from one address: none limited")
	}
	owner := from(srv.stranger(t), "203.0.113.7")
	if resp, _ := signIn(owner, victim.name, "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner, from their own address, while another address is locked out: status %d, want 303", resp.StatusCode)
	}
}

func TestSignUpsPerAddressAreLimited(t *testing.T) {
	srv := newServerWith(t, dbtest.File(t), handlers.Config{TrustedProxies: loopbackProxy(t), SignupRate: 3})
	p := from(srv.stranger(t), "198.51.100.5")
	signUp := func(p *person, name string) int {
		resp, _ := p.post("/signup", url.Values{"_csrf": {p.csrf}, "username": {name}, "password": {"long enough pw"}})
		return resp.StatusCode
	}
	for i := range 3 {
		if status := signUp(p, fmt.Sprintf("burst-%d", i)); status != http.StatusSeeOther {
			t.Fatalf("sign-up %d of a burst of 3: status %d", i+1, status)
		}
	}
	if status := signUp(p, "one-too-many"); status != http.StatusTooManyRequests {
		t.Fatalf("a 4th sign-up from one address at 3 an hour: status %d, want 429", status)
	}
	q := from(srv.stranger(t), "203.0.113.5")
	if status := signUp(q, "elsewhere"); status != http.StatusSeeOther {
		t.Fatalf("a sign-up from another address: status %d, want 303", status)
	}
}

func TestPasswordHashingIsBounded(t *testing.T) {
	srv := newServerWith(t, dbtest.File(t), handlers.Config{TrustedProxies: loopbackProxy(t)})
	taken := srv.visit(t)
	p := srv.stranger(t)
	// Every hashing slot busy: a sign-in waits, then is told to try
	// again; a taken name is answered without hashing at all.
	release := srv.handler.HoldHashes(200 * time.Millisecond)
	resp, body := signIn(p, taken.name, "correct horse battery")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "busy") || resp.Header.Get("Retry-After") == "" {
		t.Errorf("sign-in with every hashing slot busy: status %d, want 503 saying busy, with Retry-After", resp.StatusCode)
	}
	resp, _ = p.post("/signup", url.Values{"_csrf": {p.csrf}, "username": {taken.name}, "password": {"long enough pw"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("sign-up of a taken name with every hashing slot busy: status %d, want 409 at once", resp.StatusCode)
	}
	release()
	// Many at once all get through once slots free up.
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() {
			// Each from its own address, as many people would.
			resp, _ := signIn(from(srv.stranger(t), fmt.Sprintf("203.0.113.%d", i+1)), taken.name, "correct horse battery")
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusSeeOther {
			t.Errorf("concurrent sign-in %d: status %d, want 303", i, s)
		}
	}
}

func TestTakenRoomNamesRevealNoPrivateRoom(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	owner, outsider := srv.visit(t), srv.visit(t)
	privateRoom(t, owner, "hush-hush")
	outsider.enter(db.GeneralRoom)
	resp, _ := outsider.post("/rooms", url.Values{"_csrf": {outsider.csrf}, "name": {"hush-hush"}, "kind": {"public"}, "from": {"1"}})
	body := followToPage(t, outsider, resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || problem(body) == "" || strings.Contains(body, "hush-hush") {
		t.Errorf("creating a room named like someone's private room: status %d (want 303 to a page saying no), problem %q, name in the page: %v",
			resp.StatusCode, problem(body), strings.Contains(body, "hush-hush"))
	}
	createRoom(t, owner, "open-air", "public")
	resp, _ = outsider.post("/rooms", url.Values{"_csrf": {outsider.csrf}, "name": {"open-air"}, "kind": {"public"}, "from": {"1"}})
	bodyPublic := followToPage(t, outsider, resp.Header.Get("Location"))
	if problem(bodyPublic) != problem(body) {
		t.Errorf("a taken public name answers %q, a taken private one %q: the difference tells", problem(bodyPublic), problem(body))
	}
}

func problem(page string) string {
	_, rest, _ := strings.Cut(page, `class="problem" role="alert">`)
	p, _, _ := strings.Cut(rest, "<")
	return p
}

func TestPagesWithMessagesAreNotStored(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p := srv.visit(t)
	s := p.dial(-1)
	s.send("not for the cache")
	s.collect(1, 5*time.Second)
	for _, path := range []string{
		fmt.Sprintf("/rooms/%d", db.GeneralRoom),
		fmt.Sprintf("/rooms/%d?before=999999", db.GeneralRoom),
		fmt.Sprintf("/rooms/%d/messages?before=999999", db.GeneralRoom),
	} {
		resp, err := p.client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", path, cc)
		}
		if hsts := resp.Header.Get("Strict-Transport-Security"); hsts != "" {
			t.Errorf("GET %s over plain HTTP without COOKIE_SECURE: Strict-Transport-Security %q", path, hsts)
		}
	}
	secure := newServerWith(t, dbtest.File(t), handlers.Config{SecureCookies: true})
	resp, err := http.Get(secure.URL + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Errorf("with secure cookies: Strict-Transport-Security %q, want a max-age", hsts)
	}
}

func TestLogLinesKeepClientValuesShortAndTheRealAddress(t *testing.T) {
	var logs logBuffer
	srv := newServerWith(t, dbtest.File(t), handlers.Config{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	p := from(srv.stranger(t), "198.51.100.77")
	long := "/" + strings.Repeat("a", 10_000)
	if status, _ := p.getStatus(long); status != http.StatusNotFound {
		t.Fatalf("GET a 10,000-character path: status %d, want 404", status)
	}
	for line := range strings.Lines(logs.String()) {
		if strings.Contains(line, "aaaa") && len(line) > 1000 {
			t.Errorf("a log line carries the client's path in full (%d bytes)", len(line))
		}
		if strings.Contains(line, "198.51.100.77") {
			t.Errorf("the log records the address the client claimed: %s", line)
		}
	}
	if !strings.Contains(logs.String(), "ip=127.0.0.1") {
		t.Errorf("the request log lacks the connection's address:\n%s", logs.String())
	}
}
