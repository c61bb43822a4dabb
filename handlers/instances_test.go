package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charla/charla/broker"
	"github.com/charla/charla/broker/natstest"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/handlers"
	"github.com/charla/charla/hub"
	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"
)

// instance is one charla instance of several: its own store (connection
// pool) on the shared database, writer, hub and relay to NATS.
type instance struct {
	*server
	relay *broker.Relay
	kill  func() // ends it at once, as SIGKILL would: no goodbye to anyone
}

// newInstance runs the handlers as server.Run does with NATS_URL set.
func newInstance(t *testing.T, dbURL, natsURL string) *instance {
	t.Helper()
	store, err := db.Open(context.Background(), dbURL, "")
	if err != nil {
		t.Fatalf("open %s: %v", dbURL, err)
	}
	t.Cleanup(func() { store.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rooms := hub.New()
	relay, err := broker.Dial(natsURL, store, rooms, handlers.Publisher(rooms), log)
	if err != nil {
		t.Fatal(err)
	}
	writer := db.NewWriter(store, relay, log)
	ctx, cancel := context.WithCancel(context.Background())
	relayCtx, stopRelay := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { writer.Run(ctx) })
	wg.Go(func() { relay.Run(relayCtx) })
	h := handlers.New(handlers.Config{
		Store: store, Poster: writer, Hub: rooms, Log: log,
		Secret: []byte("test-secret-test-secret-test-secret"),
		Relay:  relay, SharedLimits: true,
	})
	relay.UsePresence(h)
	e := echo.New()
	h.Register(e)
	srv := httptest.NewUnstartedServer(e)
	conns := &trackedListener{Listener: srv.Listener}
	srv.Listener = conns
	srv.Start()
	var once sync.Once
	kill := func() {
		once.Do(func() {
			conns.cut() // sockets too, which the http.Server no longer tracks
			srv.Close()
			cancel()
			stopRelay()
			wg.Wait()
		})
	}
	t.Cleanup(kill)
	return &instance{server: &server{Server: srv, store: store, handler: h}, relay: relay, kill: kill}
}

// trackedListener remembers every connection it accepted, so that a test
// can cut them all as a killed process's would be.
type trackedListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *trackedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

func (l *trackedListener) cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.Close()
	}
}

// as returns p as a browser of another instance: same cookies, same room.
func (p *person) as(in *instance) *person {
	q := *p
	q.srv = in.server
	return &q
}

// positioned is a message as a frame shows it, with its position.
type positioned struct {
	ID, Pos int64
	Body    string
}

var positionedRe = regexp.MustCompile(`(?s)<article id="msg-(\d+)"[^>]*data-pos="(\d+)"[^>]*>.*?<p class="body[^"]*">(.*?)</p>`)

// follow reads s's frames until it has seen position upTo of its room,
// failing after timeout, and returns every message shown, in order.
func (s *socket) follow(upTo int64, timeout time.Duration) []positioned {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var got []positioned
	var last int64
	for last < upTo {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		_, b, err := s.conn.Read(ctx)
		cancel()
		if err != nil {
			s.t.Fatalf("%s: after position %d of %d: %v", s.who, last, upTo, err)
		}
		for _, m := range positionedRe.FindAllStringSubmatch(string(b), -1) {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			pos, _ := strconv.ParseInt(m[2], 10, 64)
			got = append(got, positioned{ID: id, Pos: pos, Body: m[3]})
			last = max(last, pos)
		}
	}
	return got
}

// assertOnceInOrder fails unless got's positions rise by one from after+1
// (every event once, in order, none missed).
func assertOnceInOrder(t *testing.T, who string, got []positioned, after int64) {
	t.Helper()
	for i, m := range got {
		if m.Pos != after+int64(i)+1 {
			t.Fatalf("%s: frame %d has position %d, want %d (once each, in order)\nall: %v", who, i, m.Pos, after+int64(i)+1, got)
		}
	}
}

// assertHistory fails unless what was shown, applied in order, is the
// database's history of room: every message, as it is now.
func assertHistory(t *testing.T, who string, store *db.Store, room int64, got []positioned) {
	t.Helper()
	want, err := store.ChangedAfter(context.Background(), room, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	shownNow := map[int64]string{}
	for _, m := range got {
		shownNow[m.ID] = m.Body
	}
	if len(shownNow) != len(want) {
		t.Fatalf("%s: shows %d messages, the database has %d", who, len(shownNow), len(want))
	}
	for _, m := range want {
		if body, ok := shownNow[m.ID]; !ok || body != m.Body {
			t.Fatalf("%s: message %d shown as %q (shown: %v), stored as %q", who, m.ID, body, ok, m.Body)
		}
	}
}

func cursor(t *testing.T, store *db.Store, room int64) int64 {
	t.Helper()
	pos, err := store.Cursor(context.Background(), room)
	if err != nil {
		t.Fatal(err)
	}
	return pos
}

// forEachSharedBackend runs fn on a database file and on a tursodb server,
// each shared by the instances fn starts.
func forEachSharedBackend(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Run("file", func(t *testing.T) { fn(t, dbtest.FileURL(t)) })
	t.Run("turso", func(t *testing.T) { fn(t, dbtest.TursoURL(t)) })
}

// TestInstancesShareRooms: people on two instances, one NATS server, one
// database: each sees every event of the room once, in position order,
// whichever instance committed it.
func TestInstancesShareRooms(t *testing.T) {
	forEachSharedBackend(t, func(t *testing.T, dbURL string) {
		nats := natstest.Start(t)
		a, b := newInstance(t, dbURL, nats.URL()), newInstance(t, dbURL, nats.URL())
		ana, bea := a.visit(t), b.visit(t)
		start := cursor(t, a.store, db.GeneralRoom)
		sa, sb := ana.dial(start), bea.dial(start)

		const each = 15
		var wg sync.WaitGroup
		for _, s := range []*socket{sa, sb} {
			wg.Go(func() {
				for i := range each {
					s.send(s.who + " " + strconv.Itoa(i))
				}
			})
		}
		wg.Wait()
		end := start + 2*each
		for _, s := range []*socket{sa, sb} {
			got := s.follow(end, 20*time.Second)
			assertOnceInOrder(t, s.who, got, start)
			assertHistory(t, s.who, a.store, db.GeneralRoom, append(history(t, a.store, start), got...))
		}
	})
}

// history is what a page shows of room up to position pos.
func history(t *testing.T, store *db.Store, pos int64) []positioned {
	t.Helper()
	msgs, err := store.ChangedAfter(context.Background(), db.GeneralRoom, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []positioned
	for _, m := range msgs {
		if m.Pos <= pos {
			out = append(out, positioned{ID: m.ID, Pos: m.Pos, Body: m.Body})
		}
	}
	return out
}

// sendN sends n messages on s, named after its person and what.
func sendN(s *socket, what string, n int) []string {
	keys := make([]string, n)
	for i := range n {
		keys[i] = s.send(s.who + " " + what + " " + strconv.Itoa(i))
	}
	return keys
}

// waitCursor waits until room's newest position is at least pos: what was
// sent is stored.
func waitCursor(t *testing.T, store *db.Store, room, pos int64) {
	t.Helper()
	deadline := time.Now().Add(storedWithin)
	for cursor(t, store, room) < pos {
		if time.Now().After(deadline) {
			t.Fatalf("room %d: position %d not stored after %v (at %d)", room, pos, storedWithin, cursor(t, store, room))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// storedWithin and shownWithin are generous: the machine is shared.
const (
	storedWithin = 20 * time.Second
	shownWithin  = 30 * time.Second
)

// assertRising fails unless got's positions only rise: nothing twice,
// nothing out of order (a gap filled from the database may skip positions
// of changes that a later one replaced).
func assertRising(t *testing.T, who string, got []positioned) {
	t.Helper()
	for i := 1; i < len(got); i++ {
		if got[i].Pos <= got[i-1].Pos {
			t.Fatalf("%s: position %d after %d (frame %d)\nall: %v", who, got[i].Pos, got[i-1].Pos, i, got)
		}
	}
}

// ownMessage returns the first message of got that who sent.
func ownMessage(t *testing.T, who string, got []positioned) positioned {
	t.Helper()
	for _, m := range got {
		if strings.HasPrefix(m.Body, who+" ") {
			return m
		}
	}
	t.Fatalf("%s: no message of theirs in %v", who, got)
	return positioned{}
}

// withoutAcks leaves out the answers to resends of messages stored before
// (the stored message, to its sender alone, as on one instance): not room
// events, so not in position order.
func withoutAcks(got []positioned) []positioned {
	var out []positioned
	var last int64
	for _, m := range got {
		if m.Pos <= last && slices.ContainsFunc(out, func(o positioned) bool { return o == m }) {
			continue
		}
		out = append(out, m)
		last = max(last, m.Pos)
	}
	return out
}

func edit(s *socket, id int64, body string) {
	s.sendKind("edit", map[string]string{"id": strconv.FormatInt(id, 10), "body": body})
}

// TestInstancesNATSRestart: NATS stops mid-stream and comes back. Meanwhile
// sends (and an edit) on both instances are stored and shown on their own
// instance; once NATS is back, every page has the database's history, each
// change once and in order.
func TestInstancesNATSRestart(t *testing.T) {
	forEachSharedBackend(t, func(t *testing.T, dbURL string) {
		nats := natstest.Start(t)
		a, b := newInstance(t, dbURL, nats.URL()), newInstance(t, dbURL, nats.URL())
		ana, bea := a.visit(t), b.visit(t)
		start := cursor(t, a.store, db.GeneralRoom)
		sa, sb := ana.dial(start), bea.dial(start)
		sendN(sa, "before", 4)
		sendN(sb, "before", 4)
		gotA, gotB := sa.follow(start+8, shownWithin), sb.follow(start+8, shownWithin)

		nats.Stop()
		sendN(sb, "while NATS is down", 4)
		waitCursor(t, a.store, db.GeneralRoom, start+12)
		sendN(sa, "while NATS is down", 4)
		edit(sa, ownMessage(t, ana.name, gotA).ID, "edited while NATS was down")
		waitCursor(t, a.store, db.GeneralRoom, start+17)
		// Each instance shows its own people's sends meanwhile, after
		// what it missed of the other's (read from the database when its
		// own next event showed the gap).
		gotA = append(gotA, sa.follow(start+17, shownWithin)...)

		nats.Restart()
		// Nothing is sent after: what each instance missed comes from the
		// database when it reconnects.
		gotB = append(gotB, sb.follow(start+17, shownWithin)...)
		assertEnd(t, a.store, start, map[string][]positioned{ana.name: gotA, bea.name: gotB})
	})
}

// TestInstancesSubscriptionCut: NATS cuts one instance's connection while
// the other sends and edits; its pages still end with every change.
func TestInstancesSubscriptionCut(t *testing.T) {
	forEachSharedBackend(t, func(t *testing.T, dbURL string) {
		nats := natstest.Start(t)
		a, b := newInstance(t, dbURL, nats.URL()), newInstance(t, dbURL, nats.URL())
		ana, bea := a.visit(t), b.visit(t)
		start := cursor(t, a.store, db.GeneralRoom)
		sa, sb := ana.dial(start), bea.dial(start)
		sendN(sa, "before", 3)
		gotB := sb.follow(start+3, shownWithin)

		if n := nats.CutClients(b.relay.ID()); n != 1 {
			t.Fatalf("cut %d connections of instance b, want 1", n)
		}
		sendN(sa, "during the cut", 6)
		edit(sa, ownMessage(t, ana.name, gotB).ID, "edited during the cut")
		waitCursor(t, a.store, db.GeneralRoom, start+10)
		gotB = append(gotB, sb.follow(start+10, shownWithin)...)
		gotA := sa.follow(start+10, shownWithin)
		assertEnd(t, a.store, start, map[string][]positioned{ana.name: gotA, bea.name: gotB})
	})
}

// TestInstanceKilled: an instance dies at once (its connections cut, no
// goodbye). Its people's pages reconnect to the other instance with their
// cursor and resend what was not confirmed (same keys): nothing stored is
// lost, nothing is stored twice, every page ends with the history.
func TestInstanceKilled(t *testing.T) {
	forEachSharedBackend(t, func(t *testing.T, dbURL string) {
		nats := natstest.Start(t)
		a, b := newInstance(t, dbURL, nats.URL()), newInstance(t, dbURL, nats.URL())
		ana, bea := a.visit(t), b.visit(t)
		start := cursor(t, a.store, db.GeneralRoom)
		sa, sb := ana.dial(start), bea.dial(start)
		sendN(sa, "before", 3)
		sendN(sb, "before", 3)
		gotA, gotB := sa.follow(start+6, shownWithin), sb.follow(start+6, shownWithin)

		// Sent just before the kill: stored or not, unknown to the page.
		unsure := sendN(sa, "at the kill", 3)
		a.kill()
		sendN(sb, "after the kill", 3)

		last, newest := gotA[len(gotA)-1].Pos, int64(0)
		for _, m := range gotA {
			newest = max(newest, m.ID)
		}
		sa = ana.as(b).dialAt(last, newest)
		for i, key := range unsure { // the page's pending messages, again
			sa.sendKey(key, ana.name+" at the kill "+strconv.Itoa(i))
		}
		end := start + 12
		waitCursor(t, b.store, db.GeneralRoom, end)
		gotA = append(gotA, withoutAcks(sa.follow(end, shownWithin))...)
		gotB = append(gotB, sb.follow(end, shownWithin)...)
		if pos := cursor(t, b.store, db.GeneralRoom); pos != end {
			t.Errorf("room at position %d, want %d: a resent message was stored twice", pos, end)
		}
		assertEnd(t, b.store, start, map[string][]positioned{ana.name: gotA, bea.name: gotB})
	})
}

// TestInstancesTypingAndTopic: someone typing, and a topic set, on one
// instance show on the other's pages.
func TestInstancesTypingAndTopic(t *testing.T) {
	dbURL := dbtest.FileURL(t)
	nats := natstest.Start(t)
	a, b := newInstance(t, dbURL, nats.URL()), newInstance(t, dbURL, nats.URL())
	ana, bea := a.visit(t), b.visit(t)
	sa, sb := ana.dial(-1), bea.dial(-1)
	sb.sendKind("typing", nil)
	sa.until(`id="typing-`, shownWithin)
	bea.post(fmt.Sprintf("/rooms/%d/topic", db.GeneralRoom), url.Values{"_csrf": {bea.csrf}, "topic": {"set on b"}})
	if f := sa.until(`class="topic"`, shownWithin); !strings.Contains(f, `>set on b</p>`) {
		t.Fatalf("ana's page on a got %q, want the topic set on b", f)
	}
}

// firstFrame opens a socket as a page of p's room and returns its first
// frame: the sidebar, who is online and the topic.
func (p *person) firstFrame() string {
	p.t.Helper()
	conn, first, err := p.dialFirst("", p.srv.URL)
	if err != nil {
		p.t.Fatal(err)
	}
	conn.CloseNow()
	return first
}

// never fails if s gets a frame containing unwanted within d. The socket
// is closed after: a read that outlives its context closes it.
func (s *socket) never(unwanted string, d time.Duration) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		_, b, err := s.conn.Read(ctx)
		if err != nil {
			return // d passed (or the socket closed) without it
		}
		if strings.Contains(string(b), unwanted) {
			s.t.Fatalf("%s: got %q within %v: %s", s.who, unwanted, d, b)
		}
	}
}

// TestInstancesPresence: who is online is the union over the instances. A
// person on the other instance shows as online (live, and in a page opened
// later); one who leaves one instance but is still on another stays
// online; one whose instance dies goes offline within seconds.
func TestInstancesPresence(t *testing.T) {
	dbURL := dbtest.FileURL(t)
	nats := natstest.Start(t)
	a, b := newInstance(t, dbURL, nats.URL()), newInstance(t, dbURL, nats.URL())
	ana, bea := a.visit(t), b.visit(t)
	u, _, err := a.store.UserByName(context.Background(), bea.name)
	if err != nil {
		t.Fatal(err)
	}
	online, offline := `data-name="`+bea.name+`"`, `id="online-`+strconv.FormatInt(u.ID, 10)+`" hx-swap-oob="delete"`

	sa := ana.dial(-1)
	sb := bea.dial(-1)
	sa.until(online, shownWithin)
	if first := ana.firstFrame(); !strings.Contains(first, online) { // a page opened after lists her
		t.Fatalf("a page opened on a after bea came online on b does not list her: %s", first)
	}

	// On both instances, then gone from b: still online (past the grace
	// and a few beats).
	beaOnA := bea.as(a).dial(-1)
	sb.conn.Close(websocket.StatusNormalClosure, "")
	sa.never(offline, 5*time.Second) // (which ends sa: a read past its deadline closes the socket)
	if first := ana.firstFrame(); !strings.Contains(first, online) {
		t.Fatalf("bea, still on a, is not listed as online: %s", first)
	}
	sa = ana.dial(-1)
	// Gone from a too: offline, after the grace.
	beaOnA.conn.Close(websocket.StatusNormalClosure, "")
	sa.until(offline, shownWithin)

	// Back on b, then b dies without a word: offline once its beats stop.
	bea.dial(-1)
	sa.until(online, shownWithin)
	b.kill()
	sa.until(offline, shownWithin)
}

// TestInstancesShareSignInLimit: password guesses spread over two
// instances meet one limit: five a minute for an account from an address,
// wherever they land.
func TestInstancesShareSignInLimit(t *testing.T) {
	forEachSharedBackend(t, func(t *testing.T, dbURL string) {
		nats := natstest.Start(t)
		a, b := newInstance(t, dbURL, nats.URL()), newInstance(t, dbURL, nats.URL())
		ana := a.visit(t)
		guess := func(in *instance) int {
			t.Helper()
			p := in.stranger(t)
			resp, _ := p.post("/signin", url.Values{"_csrf": {p.csrf}, "username": {ana.name}, "password": {"not her password"}})
			return resp.StatusCode
		}
		for i := range 5 {
			in := []*instance{a, b}[i%2]
			if status := guess(in); status != http.StatusUnauthorized {
				t.Fatalf("guess %d: status %d, want 401", i+1, status)
			}
		}
		for _, in := range []*instance{a, b} {
			if status := guess(in); status != http.StatusTooManyRequests {
				t.Fatalf("a sixth guess: status %d, want 429 on either instance", status)
			}
		}
	})
}

// TestInstancesStartWithoutNATS: instances start while NATS is down; they
// serve (sends are stored and shown on their own instance), and share the
// rooms once NATS comes up.
func TestInstancesStartWithoutNATS(t *testing.T) {
	dbURL := dbtest.FileURL(t)
	nats := natstest.Start(t)
	nats.Stop()
	a, b := newInstance(t, dbURL, nats.URL()), newInstance(t, dbURL, nats.URL())
	ana, bea := a.visit(t), b.visit(t)
	start := cursor(t, a.store, db.GeneralRoom)
	sa, sb := ana.dial(start), bea.dial(start)
	sendN(sa, "before NATS", 2)
	gotA := sa.follow(start+2, shownWithin)

	nats.Restart()
	deadline := time.Now().Add(shownWithin)
	for !a.relay.Connected() || !b.relay.Connected() {
		if time.Now().After(deadline) {
			t.Fatal("instances not connected to NATS")
		}
		time.Sleep(20 * time.Millisecond)
	}
	sendN(sb, "with NATS", 2)
	gotA = append(gotA, sa.follow(start+4, shownWithin)...)
	gotB := sb.follow(start+4, shownWithin)
	assertEnd(t, a.store, start, map[string][]positioned{ana.name: gotA, bea.name: gotB})
}

// assertEnd checks what each person's page was sent since start: positions
// rising, and, with what came before, the general room's history in store.
func assertEnd(t *testing.T, store *db.Store, start int64, pages map[string][]positioned) {
	t.Helper()
	for who, got := range pages {
		assertRising(t, who, got)
		assertHistory(t, who, store, db.GeneralRoom, append(history(t, store, start), got...))
	}
}
