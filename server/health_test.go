package server

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/broker/natstest"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/migrations"
	"github.com/pressly/goose/v3"
)

// getReady returns /readyz's status and body.
func getReady(t *testing.T, addr string) (int, string) {
	t.Helper()
	client := http.Client{Timeout: readyTimeout + 10*time.Second}
	resp, err := client.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatalf("GET /readyz: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitReady polls /readyz until it answers want (and, when not ready, a
// body containing reason), or fails after a generous while.
func waitReady(t *testing.T, addr string, want int, reason string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // a loaded machine
	for {
		status, body := getReady(t, addr)
		if status == want && strings.Contains(body, reason) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz: %d %q; want %d with %q", status, body, want, reason)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// /readyz says not ready, and why, while the database is away (a Turso
// server hung, then killed), and ready again once it is back; /healthz
// says alive throughout.
func TestReadyzFlipsWithTheDatabase(t *testing.T) {
	_, turso := dbtest.TursoServer(t)
	addr := serveForTest(t, Config{DatabaseURL: turso.URL, SkipMigrate: true})
	waitReady(t, addr, http.StatusOK, "ready")

	turso.Stop(t) // hung: answers nothing
	start := time.Now()
	waitReady(t, addr, http.StatusServiceUnavailable, "not ready: database unreachable")
	if took := time.Since(start); took > readyTimeout+10*time.Second {
		t.Errorf("/readyz took %v to say a hung database is unreachable; want about %v", took, readyTimeout)
	}
	healthz(t, addr)
	turso.Continue(t)
	waitReady(t, addr, http.StatusOK, "ready")

	turso.Kill(t) // gone: connections refused
	waitReady(t, addr, http.StatusServiceUnavailable, "not ready: database unreachable")
	healthz(t, addr)
	turso.Restart(t)
	waitReady(t, addr, http.StatusOK, "ready")
}

func healthz(t *testing.T, addr string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %d; want 200: the process is alive", resp.StatusCode)
	}
}

// A database behind the binary's migrations (started with
// CHARLA_MIGRATE=false) is not ready, and says so.
func TestReadyzSaysMigrationsPending(t *testing.T) {
	ctx := context.Background()
	url := "file:" + filepath.Join(t.TempDir(), "old.db")
	s, err := db.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.DB(), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	last := p.ListSources()[len(p.ListSources())-1].Version
	if _, err := p.UpTo(ctx, last-1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	addr := serveForTest(t, Config{DatabaseURL: url, SkipMigrate: true})
	waitReady(t, addr, http.StatusServiceUnavailable, "not ready: database migrations pending")
}

// With NATS_URL, /readyz says not ready while NATS is away (this instance
// would deliver its own people's events only), and ready once it is back;
// the broker gauge follows.
func TestReadyzFlipsWithTheBroker(t *testing.T) {
	nats := natstest.Start(t)
	addr := serveForTest(t, Config{DatabaseURL: dbtest.FileURL(t), SkipMigrate: true, NATSURL: nats.URL()})
	waitReady(t, addr, http.StatusOK, "ready")
	nats.Stop()
	waitReady(t, addr, http.StatusServiceUnavailable, "not ready: broker not connected")
	nats.Restart()
	waitReady(t, addr, http.StatusOK, "ready")
}
