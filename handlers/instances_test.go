package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/charla/charla/broker"
	"github.com/charla/charla/broker/natstest"
	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/handlers"
	"github.com/charla/charla/hub"
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
	})
	e := echo.New()
	h.Register(e)
	srv := httptest.NewServer(e)
	var once sync.Once
	kill := func() {
		once.Do(func() {
			srv.CloseClientConnections()
			srv.Close()
			cancel()
			stopRelay()
			wg.Wait()
		})
	}
	t.Cleanup(kill)
	return &instance{server: &server{Server: srv, store: store, handler: h}, relay: relay, kill: kill}
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

var _ = chat.Post
