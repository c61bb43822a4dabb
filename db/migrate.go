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

// MigrationsPending reports whether migrations/ holds a migration that the
// database has not applied (out-of-order ones included): a server on such
// a database would run queries on a schema they were not written for.
//
// It reads goose's version table itself, with one plain query, rather than
// through goose's Provider.HasPending, which pins a connection, may create
// the table, and did not answer within seconds on a tursodb server: a
// readiness probe must be a read that answers fast on every backend.
func (s *Store) MigrationsPending(ctx context.Context) (bool, error) {
	provider, err := goose.NewProvider(goose.DialectSQLite3, s.db, migrations.FS) // lists the files; connects to nothing
	if err != nil {
		return false, fmt.Errorf("migrations: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT version_id FROM goose_db_version WHERE is_applied")
	if err != nil {
		return false, fmt.Errorf("migrations: %w", err)
	}
	defer rows.Close()
	applied := make(map[int64]bool)
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return false, fmt.Errorf("migrations: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("migrations: %w", err)
	}
	for _, src := range provider.ListSources() {
		if !applied[src.Version] {
			return true, nil
		}
	}
	return false, nil
}
