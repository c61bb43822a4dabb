package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

// A backup is one file (no -wal beside it), never overwrites one, and
// refuses a Turso server with words that say how to back one up.
func TestBackupIsOneFileAndRefusesWhatItCannotCopy(t *testing.T) {
	ctx := context.Background()
	src := dbtest.FileURL(t)
	dest := filepath.Join(t.TempDir(), "copy.db")
	info, err := db.Backup(ctx, src, dest)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if info.Path != dest || info.Bytes == 0 {
		t.Errorf("backup info %+v", info)
	}
	entries, _ := os.ReadDir(filepath.Dir(dest))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("beside the backup: %v; want the one file", names)
	}
	if _, err := db.Backup(ctx, src, dest); !errors.Is(err, os.ErrExist) {
		t.Errorf("backup onto an existing file: %v; want refused (fs.ErrExist)", err)
	}
	missing := filepath.Join(t.TempDir(), "elsewhere.db")
	if _, err := db.Backup(ctx, "file:"+missing, filepath.Join(t.TempDir(), "x.db")); err == nil || !strings.Contains(err.Error(), "no database at") {
		t.Errorf("backup of a file that does not exist: %v; want refused", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup of a missing database made %s: %v", missing, err)
	}
	for _, remote := range []string{"libsql://charla-acme.turso.io", "http://127.0.0.1:8081"} {
		_, err := db.Backup(ctx, remote, filepath.Join(t.TempDir(), "remote.db"))
		if !errors.Is(err, db.ErrBackupRemote) || !strings.Contains(err.Error(), "turso db shell") {
			t.Errorf("backup of %s: %v; want ErrBackupRemote saying how to back up Turso", remote, err)
		}
	}
}
