package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/handlers"
)

// logBuffer is a log destination tests can read while the server writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the log has a line containing s.
func (b *logBuffer) waitFor(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !strings.Contains(b.String(), s); {
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q within %v; log:\n%s", s, timeout, b.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stallingStore holds RoomFor, once armed, until the request's context
// ends (the client has gone), then answers as the database would have:
// with the context's error (fail), or with the room (a query that finished
// just as the client left).
type stallingStore struct {
	handlers.Store
	mu      sync.Mutex
	armed   bool
	fail    bool
	entered chan struct{}
}

func (s *stallingStore) arm(fail bool) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed, s.fail, s.entered = true, fail, make(chan struct{})
	return s.entered
}

func (s *stallingStore) RoomFor(ctx context.Context, roomID, userID int64) (chat.Room, bool, error) {
	s.mu.Lock()
	armed, fail, entered := s.armed, s.fail, s.entered
	s.armed = false
	s.mu.Unlock()
	if armed {
		close(entered)
		<-ctx.Done()
		if fail {
			return chat.Room{}, false, fmt.Errorf("room %d: %w", roomID, ctx.Err())
		}
		ctx = context.Background()
	}
	return s.Store.RoomFor(ctx, roomID, userID)
}

// A client that leaves during the WebSocket handshake is no operator's
// problem: nothing about it is logged as an error.
func TestClientLeavingDuringHandshakeIsNoError(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail bool
	}{
		{"QueryFailsWithTheRequest", true},      // the room check fails: the request log and error handler
		{"QueryFinishesAsTheClientLeft", false}, // the upgrade goes on: the socket's own reads fail
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := dbtest.File(t)
			ss := &stallingStore{Store: store}
			logs := &logBuffer{}
			srv := newServerWith(t, store, handlers.Config{
				Store: ss,
				Log:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			})
			p := srv.visit(t)
			entered := ss.arm(tc.fail)
			conn := p.rawUpgrade(t, 0)
			select {
			case <-entered:
			case <-time.After(5 * time.Second):
				t.Fatal("the handshake never reached the room check")
			}
			conn.Close()
			logs.waitFor(t, "path=/rooms/1/ws", 5*time.Second)
			time.Sleep(100 * time.Millisecond) // anything logged after the request line
			if tc.fail && !strings.Contains(logs.String(), "status=499") {
				t.Errorf("request log lacks status=499 (client gone):\n%s", logs.String())
			}
			for line := range strings.Lines(logs.String()) {
				if strings.Contains(line, "level=ERROR") {
					t.Errorf("a client leaving was logged as an error:\n%s", line)
				}
			}
		})
	}
}

// A client that leaves in the middle of a long replay is no error either.
func TestClientLeavingDuringReplayIsNoError(t *testing.T) {
	store := dbtest.File(t)
	logs := &logBuffer{}
	srv := newServerWith(t, store, handlers.Config{
		Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	seedMore(t, store, "long", handlers.MaxReplay)
	p := srv.visit(t)
	conn := p.rawUpgrade(t, 0)
	br := bufio.NewReader(conn)
	if line, err := br.ReadString('\n'); err != nil || !strings.Contains(line, "101") {
		t.Fatalf("upgrade: %q, %v", line, err)
	}
	br.ReadString('\n') // a little of the answer, then gone
	conn.Close()
	// The handler has returned, and the socket (if it got that far) has
	// cleaned up: everything about it is logged.
	logs.waitFor(t, "path=/rooms/1/ws", 10*time.Second)
	waitSockets(t, srv, 0, 10*time.Second)
	time.Sleep(100 * time.Millisecond)
	for line := range strings.Lines(logs.String()) {
		if strings.Contains(line, "level=ERROR") {
			t.Errorf("a client leaving mid-replay was logged as an error:\n%s", line)
		}
	}
}

// rawUpgrade sends a WebSocket upgrade request for the person's room, with
// their cookies, on a plain TCP connection, and returns it unanswered.
func (p *person) rawUpgrade(t *testing.T, after int64) net.Conn {
	t.Helper()
	u, _ := url.Parse(p.srv.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var cookies []string
	for _, c := range p.client.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	w := bufio.NewWriter(conn)
	fmt.Fprintf(w, "GET /rooms/%d/ws?after=%d HTTP/1.1\r\nHost: %s\r\nOrigin: %s\r\n", p.room, after, u.Host, p.srv.URL)
	fmt.Fprintf(w, "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
	fmt.Fprintf(w, "Cookie: %s\r\n\r\n", strings.Join(cookies, "; "))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return conn
}
