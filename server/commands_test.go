package server

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// The command line: version (stamped, or the build's own), help, a wrong
// command, and a backup of what cannot be copied as a file.
func TestMainCommands(t *testing.T) {
	run := func(vars map[string]string, args ...string) (int, string) {
		var out bytes.Buffer
		code := Main(context.Background(), args, env(vars), &out, slog.New(slog.NewTextHandler(&out, nil)))
		return code, out.String()
	}
	if code, out := run(nil, "version"); code != 0 || !strings.HasPrefix(out, "charla (devel) go") {
		t.Errorf("version, unstamped: %d %q; want charla (devel) and the Go version", code, out)
	}
	version = "v1.2.3"
	t.Cleanup(func() { version = "" })
	if code, out := run(nil, "version"); code != 0 || !strings.HasPrefix(out, "charla v1.2.3 ") {
		t.Errorf("version, stamped v1.2.3: %d %q", code, out)
	}
	if code, out := run(nil, "help"); code != 0 || !strings.Contains(out, "backup PATH") {
		t.Errorf("help: %d %q", code, out)
	}
	for _, args := range [][]string{{"bogus"}, {"backup"}, {"backup", "a", "b"}, {"serve", "x"}} {
		if code, out := run(nil, args...); code != exitUsage || !strings.Contains(out, "usage:") {
			t.Errorf("%v: %d %q; want %d and the usage", args, code, out, exitUsage)
		}
	}
	code, out := run(map[string]string{"DATABASE_URL": "libsql://charla-acme.turso.io"}, "backup", filepath.Join(t.TempDir(), "x.db"))
	if code != exitUsage || !strings.Contains(out, "point-in-time recovery") {
		t.Errorf("backup of a Turso database: %d %q; want refused, saying how to back up Turso", code, out)
	}
}
