package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"
)

// TestShutdownWithSilentConnectionIsPrompt: browsers open connections
// ahead of need that send no request (Chromium's preconnects). Such a
// connection has nothing to lose, so a graceful stop must neither wait for
// it nor call its closing an error.
func TestShutdownWithSilentConnectionIsPrompt(t *testing.T) {
	cfg := Config{
		Addr:         "127.0.0.1:0",
		DatabaseURL:  "file:" + filepath.Join(t.TempDir(), "shutdown.db"),
		CookieSecret: testCookieSecret,
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, log, func(addr string) { ready <- addr }) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("Run returned before listening: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not listen within 10s")
	}

	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	time.Sleep(100 * time.Millisecond) // accepted, and waiting for a request

	cancel()
	stopped := time.Now()
	// Well under the 5 s net/http waits for a silent connection, with room
	// for a loaded machine.
	const prompt = 2 * time.Second
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v on a graceful stop, want nil", err)
		}
		if took := time.Since(stopped); took > prompt {
			t.Errorf("the stop took %v with a silent connection open, want under %v", took.Round(time.Millisecond), prompt)
		}
	case <-time.After(3 * ShutdownGrace):
		t.Fatalf("Run did not return within %v of its context ending", 3*ShutdownGrace)
	}
}
