package db

import (
	"context"
	"fmt"
)

// EnsureSetting stores value under key unless the key already has one, and
// returns the stored value. Several instances starting at once agree on one
// value: the INSERT that loses the race does nothing.
func (s *Store) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	if _, err := s.db.ExecContext(ctx,
		`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
		return "", fmt.Errorf("ensure setting %s: %w", key, err)
	}
	var stored string
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&stored); err != nil {
		return "", fmt.Errorf("ensure setting %s: %w", key, err)
	}
	return stored, nil
}
