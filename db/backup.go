package db

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrBackupRemote: Backup was asked to copy a database served by a Turso or
// libSQL server, which it cannot read as a file. The message says what to
// do instead.
var ErrBackupRemote = errors.New("charla backup copies a file database (DATABASE_URL=file:…); " +
	"a Turso database is backed up by Turso: on Turso Cloud every commit is kept for point-in-time " +
	"recovery (turso db create NEW --from-db NAME --timestamp 2026-01-01T00:00:00Z makes a copy as it was then), " +
	"and turso db shell NAME .dump > charla.sql writes an SQL dump (turso db shell NEW < charla.sql loads it); " +
	"for your own libSQL server, back up its data directory as its documentation says")

// BackupInfo says what a backup holds, for the person who made it.
type BackupInfo struct {
	Path     string
	Bytes    int64
	Messages int64
}

// Backup writes a consistent copy of the file database at databaseURL to
// dest while servers keep using it: SQLite's VACUUM INTO reads one
// snapshot (a read transaction: in WAL mode, writers go on) and writes it
// out compacted. The copy is made under a temporary name beside dest,
// checked (quick_check), synced and only then renamed, so that dest is
// either absent or a whole, valid database. dest must not exist yet.
func Backup(ctx context.Context, databaseURL, dest string) (BackupInfo, error) {
	if !strings.HasPrefix(databaseURL, "file:") {
		return BackupInfo{}, fmt.Errorf("%s: %w", Redact(databaseURL), ErrBackupRemote)
	}
	// Opening a file that is not there would make an empty database, and
	// back that up: most likely the command ran elsewhere than the server.
	if src := filePath(databaseURL); src == "" {
		return BackupInfo{}, fmt.Errorf("backup: %s names no file", Redact(databaseURL))
	} else if _, err := os.Stat(src); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: no database at %s (run charla backup with the server's DATABASE_URL, from its directory): %w", Redact(databaseURL), err)
	}
	if _, err := os.Stat(dest); err == nil {
		return BackupInfo{}, fmt.Errorf("backup %s: %w (choose a new name; a backup never overwrites one)", dest, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return BackupInfo{}, fmt.Errorf("backup %s: %w", dest, err)
	}
	src, err := openDB(ctx, databaseURL, "")
	if err != nil {
		return BackupInfo{}, err
	}
	defer src.Close()
	tmp, err := tempPath(dest)
	if err != nil {
		return BackupInfo{}, err
	}
	defer os.Remove(tmp) // gone once renamed; else a failed copy's leftovers
	if _, err := src.db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return BackupInfo{}, fmt.Errorf("backup %s: %w", Redact(databaseURL), err)
	}
	info, err := checkCopy(ctx, tmp)
	if err != nil {
		return BackupInfo{}, err
	}
	if err := syncFile(tmp); err != nil {
		return BackupInfo{}, err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	if err := syncFile(filepath.Dir(dest)); err != nil { // the rename itself
		return BackupInfo{}, err
	}
	info.Path = dest
	return info, nil
}

// filePath returns the file a file: URL names (without its parameters).
func filePath(fileURL string) string {
	path, _, _ := strings.Cut(strings.TrimPrefix(fileURL, "file:"), "?")
	return strings.TrimPrefix(path, "//") // file:///abs/path
}

// tempPath returns an unused name beside dest (same directory, so that the
// rename is atomic), for VACUUM INTO, which wants a file that does not exist.
func tempPath(dest string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".partial-*")
	if err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	return name, nil
}

// checkCopy opens the copy on its own, checks it and counts its messages.
func checkCopy(ctx context.Context, path string) (BackupInfo, error) {
	info, err := inspectCopy(ctx, path)
	if err != nil {
		return BackupInfo{}, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	info.Bytes = st.Size()
	return info, nil
}

// inspectCopy runs quick_check on the copy and counts its messages. Closing
// it checkpoints and removes its -wal: the copy is then one file.
func inspectCopy(ctx context.Context, path string) (BackupInfo, error) {
	cp, err := openDB(ctx, "file:"+path, "")
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: open the copy: %w", err)
	}
	defer cp.Close()
	var check string
	if err := cp.db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil || check != "ok" {
		return BackupInfo{}, fmt.Errorf("backup: the copy fails quick_check: %q %v", check, err)
	}
	var info BackupInfo
	if err := cp.db.QueryRowContext(ctx, "SELECT count(*) FROM messages").Scan(&info.Messages); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: count the copy's messages: %w", err)
	}
	return info, nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: sync %s: %w", path, err)
	}
	return nil
}
