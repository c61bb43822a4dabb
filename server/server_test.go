package server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// testCookieSecret is fixed so that tests need not wait for one to be made
// and stored.
const testCookieSecret = "charla-test-cookie-secret-0123456789abcdef"

// serveForTest runs Run with cfg on a free loopback port until the test
// ends, and returns its address. Without cfg.DatabaseURL, the database is a
// fresh temp file.
func serveForTest(t *testing.T, cfg Config) string {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = "file:" + filepath.Join(t.TempDir(), "charla.db")
	}
	cfg.CookieSecret = testCookieSecret
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { done <- Run(ctx, cfg, log, func(addr string) { ready <- addr }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case addr := <-ready:
		return addr
	case err := <-done:
		t.Fatalf("Run returned before listening: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not listen within 10s")
	}
	return ""
}

// closedWithin reports whether the server closes conn within d (reading
// and discarding whatever it sends first).
func closedWithin(conn net.Conn, d time.Duration) bool {
	conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// A client cannot hold a connection by sending a body slowly, or by
// keeping an idle keep-alive connection: both used to stay open for good.
func TestServerTimesOutSlowBodiesAndIdleConnections(t *testing.T) {
	const timeout = 500 * time.Millisecond
	addr := serveForTest(t, Config{Timeouts: Timeouts{ReadHeader: timeout, Read: timeout, Idle: timeout}})
	const margin = 5 * time.Second // a loaded machine

	t.Run("SlowBody", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "POST /signin HTTP/1.1\r\nHost: charla\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=")
		if !closedWithin(conn, timeout+margin) {
			t.Fatalf("a body sent slowly held the connection for %v; want it closed after %v", timeout+margin, timeout)
		}
	})

	t.Run("IdleKeepAlive", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: charla\r\n\r\n")
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("healthz: %d, close %v; want 200 on a kept-alive connection", resp.StatusCode, resp.Close)
		}
		conn.SetReadDeadline(time.Now().Add(timeout + margin))
		if _, err := br.ReadByte(); err != io.EOF {
			t.Fatalf("idle keep-alive connection: read %v after %v; want it closed (EOF) after %v", err, timeout+margin, timeout)
		}
	})
}
