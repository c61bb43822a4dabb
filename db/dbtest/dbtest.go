// Package dbtest gives tests a real, migrated charla database on each
// backend: a temp SQLite file, and a local Turso-protocol server (tursodb
// --sync-server from the npm package @tursodatabase/cli-linux-x64-gnu).
package dbtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charla/charla/db"
)

// ForEachBackend runs fn as subtests "file" and "turso", each on a fresh,
// migrated database. Without the tursodb binary the turso subtest is
// skipped, unless CHARLA_TURSO=1 (CI), where it fails.
func ForEachBackend(t *testing.T, fn func(t *testing.T, s *db.Store)) {
	t.Helper()
	t.Run("file", func(t *testing.T) { fn(t, File(t)) })
	t.Run("turso", func(t *testing.T) { fn(t, Turso(t)) })
}

// FileURL returns the file: URL of a fresh, migrated database in a temp dir.
func FileURL(t testing.TB) string {
	t.Helper()
	url := "file:" + filepath.Join(t.TempDir(), "charla.db")
	s, err := db.Open(context.Background(), url, "")
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	defer s.Close()
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", url, err)
	}
	return url
}

// File returns a store on a fresh, migrated temp SQLite file.
func File(t testing.TB) *db.Store {
	t.Helper()
	return open(t, FileURL(t))
}

// Turso returns a store on a local tursodb server that serves a freshly
// migrated file. The server stops when the test ends.
func Turso(t testing.TB) *db.Store {
	t.Helper()
	return open(t, TursoURL(t))
}

// TursoURL starts tursodb on a migrated file and returns its http:// URL.
//
// tursodb answers each request on its own (no streams), so goose cannot
// migrate through it: the schema is applied to the file first, through the
// file driver, and only then served.
func TursoURL(t testing.TB) string {
	t.Helper()
	return startTurso(t).URL
}

// Server is a running tursodb, for tests that make the database hang
// (Stop, then Continue) or fail.
type Server struct {
	URL  string
	cmd  *exec.Cmd
	bin  string // to Restart it
	addr string
	path string
	logf *os.File
}

// Stop freezes the server (SIGSTOP): it keeps its connections but answers
// nothing, as a hung database does.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatalf("stop tursodb: %v", err)
	}
}

// Continue resumes a stopped server (SIGCONT).
func (s *Server) Continue(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatalf("continue tursodb: %v", err)
	}
}

// Kill ends the server (SIGKILL): its connections drop and nothing
// listens at URL until Restart.
func (s *Server) Kill(t testing.TB) {
	t.Helper()
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// Restart starts a killed server again on the same file and address.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.run(t)
}

// TursoServer is Turso, with a handle on the server process. A stopped
// server is continued when the test ends, before it is killed.
func TursoServer(t testing.TB) (*db.Store, *Server) {
	t.Helper()
	srv := startTurso(t)
	t.Cleanup(func() { srv.cmd.Process.Signal(syscall.SIGCONT) })
	return open(t, srv.URL), srv
}

// TursoFile returns a store on a local tursodb server serving the
// migrated database file at path (as it is: the caller's copy). The server
// stops when the test ends.
func TursoFile(t testing.TB, path string) *db.Store {
	t.Helper()
	return open(t, serveTurso(t, path).URL)
}

func startTurso(t testing.TB) *Server {
	t.Helper()
	requireTursodb(t) // before migrating a file for nothing
	return serveTurso(t, strings.TrimPrefix(FileURL(t), "file:"))
}

// requireTursodb returns the tursodb binary, or skips (fails with
// CHARLA_TURSO=1) the test without one.
func requireTursodb(t testing.TB) string {
	t.Helper()
	bin := tursodbPath()
	if bin == "" {
		if os.Getenv("CHARLA_TURSO") == "1" {
			t.Fatal("CHARLA_TURSO=1 but no tursodb binary: run `make assets` (npm ci) or set TURSODB")
		}
		t.Skip("no tursodb binary (run `make assets`); set CHARLA_TURSO=1 to make this a failure")
	}
	return bin
}

// serveTurso starts tursodb on the database file at path.
func serveTurso(t testing.TB, path string) *Server {
	t.Helper()
	bin := requireTursodb(t)
	logf, err := os.Create(path + ".tursodb.log")
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	s := &Server{URL: "http://" + addr, bin: bin, addr: addr, path: path, logf: logf}
	t.Cleanup(func() {
		if s.cmd != nil && s.cmd.Process != nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
		logf.Close()
	})
	s.run(t)
	return s
}

// run starts tursodb on s.path at s.addr and waits until it listens.
func (s *Server) run(t testing.TB) {
	t.Helper()
	addr, path := s.addr, s.path
	s.cmd = exec.Command(s.bin, "--sync-server", addr, path)
	s.cmd.Stdout, s.cmd.Stderr = s.logf, s.logf
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start tursodb: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(path + ".tursodb.log")
			t.Fatalf("tursodb did not listen on %s within 10s: %v\n%s", addr, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func open(t testing.TB, url string) *db.Store {
	t.Helper()
	s, err := db.Open(context.Background(), url, "")
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// tursodbPath finds the binary: $TURSODB, then node_modules of the module
// root (where `npm ci` puts it), then PATH.
func tursodbPath() string {
	if p := os.Getenv("TURSODB"); p != "" {
		return p
	}
	if root := moduleRoot(); root != "" {
		p := filepath.Join(root, "node_modules", "@tursodatabase", "cli-linux-x64-gnu", "tursodb")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("tursodb"); err == nil {
		return p
	}
	return ""
}

func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr())
}
