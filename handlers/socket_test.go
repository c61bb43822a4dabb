package handlers_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"net/http/httptest"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/handlers"
	"github.com/coder/websocket"
)

func TestSocket(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		t.Run("TwoPeopleSeeEachOthersMessagesInOrder", func(t *testing.T) { testTwoPeople(t, srv) })
		t.Run("ReconnectGetsMissedMessagesOnceWhileOthersSend", func(t *testing.T) { testReconnect(t, srv) })
		t.Run("ResendWithTheSameKeyIsOneMessage", func(t *testing.T) { testResend(t, srv) })
		t.Run("BadInputGetsItsAnswer", func(t *testing.T) { testBadInput(t, srv) })
	})
}

func testTwoPeople(t *testing.T, srv *server) {
	alice, bob := srv.visit(t), srv.visit(t)
	start := lastID(t, srv)
	a, b := alice.dial(start), bob.dial(start)

	var want []string
	for i := range 5 {
		for _, s := range []*socket{a, b} {
			body := fmt.Sprintf("%s says %d", s.who, i)
			s.send(body)
			want = append(want, body)
			// Both see it before the next one is sent, so that the order
			// of sending is the order of arrival at the server.
			for _, r := range []*socket{a, b} {
				if got := r.collect(1, 5*time.Second); got[0].Body != body {
					t.Fatalf("%s got %q, want %q", r.who, got[0].Body, body)
				}
			}
		}
	}
	// Everything again, from a third socket that recovers it all.
	c := srv.visit(t).dial(start)
	assertInOrderOnce(t, c.collect(len(want), 5*time.Second), want)
}

func testReconnect(t *testing.T, srv *server) {
	sender, reader := srv.visit(t), srv.visit(t)
	s := sender.dial(-1)
	start := lastID(t, srv)
	r := reader.dial(start)

	const total = 60
	var want []string
	for i := range total {
		want = append(want, fmt.Sprintf("burst %d", i))
	}
	var sent sync.WaitGroup
	sent.Go(func() {
		for _, body := range want {
			s.send(body)
			time.Sleep(2 * time.Millisecond)
		}
	})
	// Read a few, drop the connection mid-stream, reconnect from the last id
	// held while the sender keeps going.
	got := r.collect(5, 10*time.Second)
	r.conn.CloseNow()
	time.Sleep(20 * time.Millisecond)
	r = reader.dial(got[len(got)-1].ID)
	got = append(got, r.collect(total-len(got), 10*time.Second)...)
	sent.Wait()
	assertInOrderOnce(t, got, want)
}

func testResend(t *testing.T, srv *server) {
	p := srv.visit(t)
	s := p.dial(-1)
	key := s.send("only once")
	first := s.collect(1, 5*time.Second)[0]
	s.sendKey(key, "only once") // Enter pressed again after a drop, or hx-ws's queue flushed
	again := s.collect(1, 5*time.Second)[0]
	if again != first {
		t.Fatalf("resend answered %+v, want the stored %+v", again, first)
	}
	// And once more over HTTP, as the no-script form would.
	resp, _ := p.post("/rooms/1/messages", map[string][]string{"_csrf": {p.csrf}, "key": {key}, "body": {"only once"}})
	if resp.StatusCode != 303 {
		t.Fatalf("HTTP resend: status %d, want 303", resp.StatusCode)
	}
	msgs, err := srv.store.MessagesAfter(context.Background(), db.GeneralRoom, first.ID-1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("stored %d messages for one key sent three times", len(msgs))
	}
}

func testBadInput(t *testing.T, srv *server) {
	alice, bob := srv.visit(t), srv.visit(t)
	a, b := alice.dial(-1), bob.dial(-1)

	t.Run("BlankIsNotStoredOrSent", func(t *testing.T) {
		key := a.send("  \n\t ")
		frame := a.read(5 * time.Second)
		if !strings.Contains(frame, `id="pending-`+key+`" hx-swap-oob="delete"`) {
			t.Fatalf("blank message: sender got %q, want its pending copy deleted", frame)
		}
		a.send("after the blank one")
		assertInOrderOnce(t, b.collect(1, 5*time.Second), []string{"after the blank one"})
		a.collect(1, 5*time.Second)
	})

	t.Run("TooLongGetsAnInlineErrorAndTheTextBack", func(t *testing.T) {
		long := strings.Repeat("ñ", db.MaxMessageLen+1)
		before := lastID(t, srv)
		key := a.send(long)
		frame := a.read(5 * time.Second)
		for _, want := range []string{`id="pending-` + key + `"`, "4,001 characters", "the limit is 4,000", long, `name="key" value="` + key + `"`} {
			if !strings.Contains(frame, want) {
				t.Fatalf("too-long reply lacks %.60q:\n%.300s", want, frame)
			}
		}
		if lastID(t, srv) != before {
			t.Fatal("a message over the limit was stored")
		}
	})

	t.Run("MarkupIsShownAsText", func(t *testing.T) {
		body := `<script>alert(1)</script><img src=x onerror=alert(2)>`
		a.send(body)
		frame := b.read(5 * time.Second)
		if strings.Contains(frame, "<script>") || strings.Contains(frame, "<img") {
			t.Fatalf("markup reached the page as markup: %s", frame)
		}
		if got := parseMessages(frame); len(got) != 1 || got[0].Body != body {
			t.Fatalf("got %v, want the text %q", got, body)
		}
		a.read(5 * time.Second)
	})

	t.Run("MalformedJSONClosesThatSocketOnly", func(t *testing.T) {
		bad := srv.visit(t).dial(-1)
		bad.sendRaw([]byte(`{"body": "unterminated`))
		if code := bad.closeStatus(5 * time.Second); code != websocket.StatusPolicyViolation {
			t.Fatalf("malformed JSON: close code %d, want 1008", code)
		}
		a.send("still running")
		assertInOrderOnce(t, b.collect(1, 5*time.Second), []string{"still running"})
		a.read(5 * time.Second)
	})

	t.Run("FrameOver64KiBClosesThatSocket", func(t *testing.T) {
		big := srv.visit(t).dial(-1)
		big.sendRaw([]byte(`{"body":"` + strings.Repeat("x", 70<<10) + `"}`))
		if code := big.closeStatus(5 * time.Second); code != websocket.StatusPolicyViolation {
			t.Fatalf("70 KiB frame: close code %d, want 1008", code)
		}
	})
}

func TestSocketRefusesForeignOrigin(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p := srv.visit(t)
	_, err := p.dialErr(0, "http://evil.example")
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("upgrade from a foreign Origin: err = %v, want a 403 refusal", err)
	}
}

func TestShutdownClosesSocketsWithServiceRestart(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	s := srv.visit(t).dial(-1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go srv.handler.CloseSockets(ctx)
	if code := s.closeStatus(5 * time.Second); code != websocket.StatusServiceRestart {
		t.Fatalf("close code %d on shutdown, want 1012 (hx-ws reconnects)", code)
	}
}

func TestSlowReaderIsDroppedAndOthersKeepUp(t *testing.T) {
	// Small, fixed socket buffers on both sides (the kernel would otherwise
	// absorb megabytes), so that a reader that stops reading fills them,
	// then its send queue, after a few hundred messages, as on a slow network.
	srv := newServerWith(t, dbtest.File(t), handlers.Config{}, func(s *httptest.Server) {
		s.Listener = smallBuffers{s.Listener}
	})
	fast := srv.visit(t).dial(-1)
	slowPerson := srv.visit(t)
	slowPerson.client.Transport = &http.Transport{DialContext: (&net.Dialer{
		Control: func(_, _ string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) {
				syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 8<<10)
			})
		},
	}).DialContext}
	slow := slowPerson.dial(-1) // never reads

	body := strings.Repeat("a slow reader must not hold the room back. ", 20)
	// Each sender has one message in flight (its socket's reader waits for
	// the commit), so a commit holds at most one message a sender and makes
	// one event of them: each = 400 makes at least 400 events, more than
	// the slow one's queue (sendQueue, 256) however a loaded machine
	// batches them. (150 each could make as few as 150 events: on a busy
	// machine the slow reader was then never dropped.)
	const senders, each = 4, 400
	const n = senders * each
	var got []shown
	var wg sync.WaitGroup
	wg.Go(func() { got = fast.collect(n, time.Minute) })
	for range senders {
		sender := srv.visit(t).dial(-1)
		go sender.closeStatus(time.Minute) // a sender reads what it is sent
		wg.Go(func() {
			for range each {
				sender.send(body)
			}
		})
	}
	wg.Wait()
	if len(got) != n {
		t.Fatalf("fast reader got %d of %d", len(got), n)
	}
	// The slow one overflowed while its writes were stuck on a full TCP
	// window, so no close frame can reach it: after lagGrace the server cuts
	// the connection (an abnormal close, 1006 to a browser), and hx-ws
	// reconnects and the page catches up from the database. A 1013 close
	// frame is for a reader that fell behind but is not stuck.
	// The bound is below writeTimeout (10 s): being dropped for lagging, not
	// for a timed-out write, is what is tested.
	if code := slow.closeStatus(5 * time.Second); code != websocket.StatusTryAgainLater && code != -1 {
		t.Fatalf("slow reader closed with %d, want 1013 or an abnormal close", code)
	}
	for deadline := time.Now().Add(2 * time.Second); srv.handler.Sockets() != 1+senders; {
		if time.Now().After(deadline) {
			t.Fatalf("%d sockets open, want %d: the slow one was never dropped", srv.handler.Sockets(), 1+senders)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// smallBuffers gives every accepted connection a 16 KB send buffer.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(16 << 10)
	}
	return c, err
}

func lastID(t *testing.T, srv *server) int64 {
	t.Helper()
	msgs, err := srv.store.Messages(context.Background(), db.GeneralRoom, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 {
		return 0
	}
	return msgs[0].ID
}
