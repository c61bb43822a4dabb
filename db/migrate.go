package db

import (
	"context"
	"fmt"

	"github.com/charla/charla/migrations"
	"github.com/pressly/goose/v3"
)

// Migrate applies every pending migration in migrations/ with goose.
//
// Goose pins a connection and runs each file in a transaction: that works on
// a file and on Turso Cloud (sqld), not on servers that answer each request
// on its own (tursodb --sync-server). Migrate those through a file first.
func (s *Store) Migrate(ctx context.Context) error {
	provider, err := goose.NewProvider(goose.DialectSQLite3, s.db, migrations.FS)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
