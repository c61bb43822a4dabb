package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/handlers"
	"github.com/charla/charla/hub"
	"github.com/labstack/echo/v4"
)

// charla is the server's handlers on a store, serving on a listener, as
// main wires them; stop ends it as a graceful stop does (sockets closed
// with 1012).
type charla struct {
	h    *handlers.Handler
	srv  *http.Server
	done sync.WaitGroup
	stop func()
}

func serveCharla(t *testing.T, store *db.Store, ln net.Listener) *charla {
	t.Helper()
	rooms := hub.New()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	writer := db.NewWriter(store, handlers.Publisher(rooms), log)
	ctx, cancel := context.WithCancel(context.Background())
	c := &charla{}
	c.done.Go(func() { writer.Run(ctx) })
	c.h = handlers.New(handlers.Config{
		Store: store, Poster: writer, Hub: rooms,
		Log:    log,
		Secret: []byte("load-test-secret-load-test-secret"), // the same across restarts: sessions stay valid
	})
	e := echo.New()
	c.h.Register(e)
	c.srv = &http.Server{Handler: e}
	c.done.Go(func() { c.srv.Serve(ln) })
	var once sync.Once
	c.stop = func() {
		once.Do(func() {
			closed, cancelClose := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancelClose()
			go c.h.CloseSockets(closed)
			c.srv.Shutdown(closed)
			c.h.CloseSockets(closed)
			cancel()
			c.done.Wait()
		})
	}
	t.Cleanup(c.stop)
	return c
}

// TestRunCountsWhatAPersonWouldLoseAcrossARestart: the server stops and
// starts again while the clients send. Like the page, every client
// reconnects and every sender goes on and sends again what was not
// answered, so every message typed reaches everyone, once; a loss would be
// one a person would see.
func TestRunCountsWhatAPersonWouldLoseAcrossARestart(t *testing.T) {
	store := dbtest.File(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	first := serveCharla(t, store, ln)

	const clients, rate, duration = 3, 20, 3 * time.Second
	o := options{
		targets: []string{"http://" + addr + "/"},
		clients: clients, senders: 1, rate: rate, duration: duration,
		rooms: 1, accounts: clients, ramp: 100, drain: 5 * time.Second,
	}
	type outcome struct {
		res result
		err error
	}
	ran := make(chan outcome, 1)
	go func() {
		res, err := run(context.Background(), o)
		ran <- outcome{res, err}
	}()

	// Once everyone is connected and sending, a restart.
	for deadline := time.Now().Add(30 * time.Second); first.h.Sockets() < clients; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d clients connected after 30s", first.h.Sockets(), clients)
		}
	}
	time.Sleep(time.Second)
	first.stop()
	time.Sleep(300 * time.Millisecond)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if ln, err = net.Listen("tcp", addr); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	serveCharla(t, store, ln)

	var out outcome
	select {
	case out = <-ran:
	case <-time.After(60 * time.Second):
		t.Fatal("the run did not end within 60s")
	}
	if out.err != nil {
		t.Fatal(out.err)
	}
	res := out.res
	t.Logf("%+v", res)
	if res.Dropped < clients || res.Reconnects != res.Dropped {
		t.Errorf("%d sockets dropped by the restart, %d reconnected; want every client dropped and each drop reconnected", res.Dropped, res.Reconnects)
	}
	if min := int(float64(rate) * duration.Seconds() * 0.8); res.Sent < min {
		t.Errorf("the sender sent %d messages in %v at %d/s, want at least %d: it must keep on through the restart, as a person typing would", res.Sent, duration, rate, min)
	}
	if res.Loss != 0 || res.Received != int64(res.Sent)*clients || res.Unanswered != 0 {
		t.Errorf("sent %d to %d clients: received %d, loss %d, never answered %d; want every message to everyone, all answered", res.Sent, clients, res.Received, res.Loss, res.Unanswered)
	}
	stored, err := store.MessagesAfter(context.Background(), db.GeneralRoom, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range stored {
		if strings.HasPrefix(m.Body, "load ") {
			n++
		}
	}
	if n != res.Sent {
		t.Errorf("%d messages stored for %d sent: each must be stored exactly once", n, res.Sent)
	}
}
