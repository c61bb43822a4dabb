package server

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/charla/charla/db"
)

// charla backup copies a live file database while people write to it: the
// copy holds every message confirmed before the backup began, its ids
// have no gap (one snapshot, not a torn read), and a server started on
// the copy serves it: the same person signed in, the newest message shown,
// a new one stored after it.
func TestBackupWhileWritingRestoresAndServes(t *testing.T) {
	dir := t.TempDir()
	live := "file:" + filepath.Join(dir, "live.db")
	copyPath := filepath.Join(dir, "backups", "copy.db")
	addr := serveForTest(t, Config{DatabaseURL: live})
	v := signUp(t, addr, "keeper")

	// Writers send until told to stop; confirmed collects what was stored.
	const writers = 4
	var (
		mu        sync.Mutex
		confirmed = map[string]bool{}
		stop      = make(chan struct{})
		wg        sync.WaitGroup
	)
	for w := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf("w%d-%05d", w, i)
				if status, err := v.trySend(fmt.Sprintf("backup-key-%d-%06d", w, i), body); err != nil || status >= 400 {
					t.Errorf("send %s: %d %v", body, status, err)
					return
				}
				mu.Lock()
				confirmed[body] = true
				mu.Unlock()
			}
		})
	}
	stopWriters := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(stopWriters) // before the server stops, if the test fails early
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(confirmed) }
	waitFor(t, "30 messages stored", func() bool { return count() >= 30 })

	mu.Lock()
	before := make([]string, 0, len(confirmed))
	for b := range confirmed {
		before = append(before, b)
	}
	mu.Unlock()
	var out bytes.Buffer
	getenv := env(map[string]string{"DATABASE_URL": live})
	if err := os.MkdirAll(filepath.Dir(copyPath), 0o755); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(&out, nil))
	if code := Main(context.Background(), []string{"backup", copyPath}, getenv, &out, log); code != 0 {
		t.Fatalf("charla backup: exit %d\n%s", code, out.String())
	}
	during := count() - len(before)
	waitFor(t, "30 more messages stored after the backup", func() bool { return count() >= len(before)+during+30 })
	stopWriters()
	if !strings.Contains(out.String(), "backed up") {
		t.Errorf("charla backup said %q", out.String())
	}
	t.Logf("confirmed before the backup %d, during %d, in all %d", len(before), during, count())

	// The copy: a gapless snapshot holding everything confirmed before.
	ctx := context.Background()
	cp, err := db.Open(ctx, "file:"+copyPath, "")
	if err != nil {
		t.Fatal(err)
	}
	var n, lo, hi int64
	if err := cp.DB().QueryRowContext(ctx, "SELECT count(*), min(id), max(id) FROM messages").Scan(&n, &lo, &hi); err != nil {
		t.Fatal(err)
	}
	inCopy := map[string]bool{}
	rows, err := cp.DB().QueryContext(ctx, "SELECT body FROM messages")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var b string
		rows.Scan(&b)
		inCopy[b] = true
	}
	rows.Close()
	var newest string
	cp.DB().QueryRowContext(ctx, "SELECT body FROM messages ORDER BY id DESC LIMIT 1").Scan(&newest)
	cp.Close()
	if hi-lo+1 != n {
		t.Errorf("copy holds %d messages with ids %d…%d: a gap, not one snapshot", n, lo, hi)
	}
	for _, b := range before {
		if !inCopy[b] {
			t.Errorf("message %s, confirmed before the backup began, is not in the copy", b)
		}
	}
	if int(n) > count() {
		t.Errorf("copy holds %d messages; only %d were ever sent", n, count())
	}

	// Restored: a server on the copy serves the same person and data.
	restored := serveForTest(t, Config{DatabaseURL: "file:" + copyPath})
	waitReady(t, restored, http.StatusOK, "ready")
	v.base = "http://" + restored // same cookie jar: cookies ignore the port
	if page := v.page("/rooms/1"); !strings.Contains(page, newest) {
		t.Errorf("the restored server's room page does not show the copy's newest message %q", newest)
	}
	if status := v.send("backup-key-after-restore", "after the restore"); status >= 400 {
		t.Fatalf("send on the restored server: %d", status)
	}
	cp, err = db.Open(ctx, "file:"+copyPath, "")
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	var id int64
	if err := cp.DB().QueryRowContext(ctx, "SELECT id FROM messages WHERE body = 'after the restore'").Scan(&id); err != nil || id != hi+1 {
		t.Errorf("message sent after the restore: id %d, %v; want %d", id, err, hi+1)
	}
}
