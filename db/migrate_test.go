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
	url := "file:" + filepath.Join(t.TempDir(), "old.db")
	s, err := db.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := goose.NewProvider(goose.DialectSQLite3, s.DB(), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
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
