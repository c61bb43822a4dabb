package handlers_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/handlers"
)

// The HTTP server's read timeout bounds a request, not a socket: net/http
// sets it as the connection's deadline, which a hijacked connection would
// keep if the upgrade did not clear it (net/http does; this guards it).
func TestSocketOutlivesTheServersReadTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	srv := newServerWith(t, dbtest.File(t), handlers.Config{}, func(s *httptest.Server) {
		// Only the read timeout: a write or idle timeout this short would
		// also cut the test's own sign-up (an argon2 hash on a loaded machine)
		// or a reused keep-alive connection.
		s.Config.ReadTimeout, s.Config.IdleTimeout = timeout, time.Minute
	})
	p := srv.visit(t)
	s := p.dial(-1)
	time.Sleep(4 * timeout)
	s.send("still connected")
	if got := s.collect(1, 5*time.Second); got[0].Body != "still connected" {
		t.Fatalf("got %v", got)
	}
}

// waitSockets waits until the server holds n sockets.
func waitSockets(t *testing.T, srv *server, n int, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); srv.handler.Sockets() != n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d sockets open after %v, want %d", srv.handler.Sockets(), timeout, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A peer that stops answering pings (a laptop closed, a network gone
// without a FIN) is noticed and its socket closed; one that answers stays.
func TestSocketWhosePeerStopsAnsweringPingsIsClosed(t *testing.T) {
	const ping = 500 * time.Millisecond // the live peer must answer within it, on a loaded machine
	srv := newServerWith(t, dbtest.File(t), handlers.Config{SocketPing: ping})
	live := srv.visit(t).dial(-1)
	// A coder/websocket client answers pings while it reads.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	frames := make(chan string, 16)
	go func() {
		for {
			_, b, err := live.conn.Read(ctx)
			if err != nil {
				close(frames)
				return
			}
			if !isPresence(string(b)) {
				frames <- string(b)
			}
		}
	}()
	srv.visit(t).dial(-1) // deaf: reads no more: answers no ping
	waitSockets(t, srv, 2, 5*time.Second)
	waitSockets(t, srv, 1, 5*time.Second+4*ping) // the deaf one goes
	time.Sleep(5 * ping)                         // and the live one stays
	if n := srv.handler.Sockets(); n != 1 {
		t.Fatalf("%d sockets open, want the live one only", n)
	}
	live.send("still here")
	select {
	case f, ok := <-frames:
		if got := parseMessages(f); !ok || len(got) != 1 || got[0].Body != "still here" {
			t.Fatalf("live socket got %q (open: %v), want its message", f, ok)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("live socket got nothing")
	}
}

// One person's sockets are capped: the oldest closes, with a code that
// hx-ws does not retry (so the two tabs do not take turns kicking each
// other out) and the page explains.
func TestOnePersonsSocketsAreCappedOldestFirst(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p := srv.visit(t)
	other := srv.visit(t).dial(-1)
	var socks []*socket
	for range handlers.MaxSocketsPerPerson {
		socks = append(socks, p.dial(-1))
	}
	waitSockets(t, srv, 1+handlers.MaxSocketsPerPerson, 5*time.Second)
	newest := p.dial(-1)
	if code := socks[0].closeStatus(5 * time.Second); code != 4001 {
		t.Fatalf("the oldest socket closed with %d, want 4001 (opened in too many tabs)", code)
	}
	waitSockets(t, srv, 1+handlers.MaxSocketsPerPerson, 5*time.Second)
	// The newest, the second oldest and someone else's all still work.
	other.send("hello")
	for _, s := range []*socket{newest, socks[1], other} {
		if got := s.collect(1, 5*time.Second); got[0].Body != "hello" {
			t.Fatalf("got %v", got)
		}
	}
}
