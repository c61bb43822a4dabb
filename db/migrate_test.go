package db_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/migrations"
	"github.com/pressly/goose/v3"
)

// A database from before accounts (migration 1 only) moves forward with
// every message and its author's name intact.
func TestMigrationKeepsSkeletonMessages(t *testing.T) {
	ctx := context.Background()
	s, _ := migratedTo(t, 1)
	if _, err := s.DB().ExecContext(ctx,
		`INSERT INTO messages (room_id, client_key, author, body, created_at) VALUES (1, 'old-key-001', 'curious-otter', 'from the skeleton', 1)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate forward: %v", err)
	}
	msgs, err := s.Messages(ctx, db.GeneralRoom, 0, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Author != "curious-otter" || msgs[0].Body != "from the skeleton" {
		t.Fatalf("after migrating: %+v, %v; want the skeleton's message as it was", msgs, err)
	}
	u, err := s.CreateUser(ctx, "first", "hash")
	if err != nil || !u.Admin {
		t.Fatalf("first account after migrating: %+v, %v", u, err)
	}
	rooms, err := s.Rooms(ctx, u.ID)
	if err != nil || len(rooms) != 1 || rooms[0].Name != "general" || rooms[0].Kind != chat.Public {
		t.Fatalf("general after migrating: %+v, %v; want a public room", rooms, err)
	}
}

// A database from before deactivation (migrations 1 and 2) moves forward
// with its accounts active and their sessions live; the migration also
// goes back down and up again.
func TestMigrationKeepsAccountsActive(t *testing.T) {
	ctx := context.Background()
	s, p := migratedTo(t, 2)
	// As the code of migration 2's time stored it (today's CreateUser
	// writes columns that come later).
	var u chat.User
	if err := s.DB().QueryRowContext(ctx,
		`INSERT INTO users (username, password_hash, created_at) VALUES ('before', 'hash', 1) RETURNING id`).Scan(&u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx,
		`INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('old-session', ?, 1, 9999999999999)`, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate forward: %v", err)
	}
	if got, err := s.SessionUser(ctx, "old-session"); err != nil || got.ID != u.ID || got.Deactivated {
		t.Fatalf("a session from before the migration: %+v, %v; want it live", got, err)
	}
	if _, err := p.DownTo(ctx, 2); err != nil {
		t.Fatalf("migrate down: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
	other, err := s.CreateUser(ctx, "second", "hash")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeactivateUser(ctx, other.ID); err != nil {
		t.Fatalf("deactivate after migrating: %v", err)
	}
}

// migratedTo returns a store on a new file database migrated up to
// version (an older schema, to fill as the code of its time did), and the
// goose provider, to migrate it further or back.
func migratedTo(t *testing.T, version int64) (*db.Store, *goose.Provider) {
	t.Helper()
	ctx := context.Background()
	s, err := db.Open(ctx, "file:"+filepath.Join(t.TempDir(), "old.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p, err := goose.NewProvider(goose.DialectSQLite3, s.DB(), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		t.Fatal(err)
	}
	return s, p
}
