package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/charla/charla/chat"
)

// ErrLastAdmin: the change would leave no active admin.
var ErrLastAdmin = errors.New("the last admin cannot be deactivated")

// maxAccountsListed bounds the admin's list of people: a team or a
// community, not a public service. Past it the list shows the first ones
// by name.
const maxAccountsListed = 1000

// Accounts returns every account by name, deactivated ones included.
func (s *Store) Accounts(ctx context.Context) ([]chat.User, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT id, username, is_admin, deactivated_at IS NOT NULL FROM users ORDER BY username LIMIT ?`, maxAccountsListed)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	defer rows.Close()
	var out []chat.User
	for rows.Next() {
		var u chat.User
		if err := rows.Scan(&u.ID, &u.Username, &u.Admin, &u.Deactivated); err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	return out, nil
}

// DeactivateUser stops an account: it can no longer sign in, and its
// sessions end. Its messages and memberships stay. The statement itself
// refuses to deactivate the last active admin (ErrLastAdmin), so that two
// admins deactivating each other at once cannot both succeed. ErrNotFound:
// no such account.
//
// Two statements, no transaction (see the package comment): the flag is
// set first, and SessionUser refuses a flagged account's sessions, so the
// account is signed out even if deleting its sessions then fails.
func (s *Store) DeactivateUser(ctx context.Context, userID int64) error {
	var id int64
	err := s.db.QueryRowContext(ctx,
		`UPDATE users SET deactivated_at = COALESCE(deactivated_at, ?)
		 WHERE id = ? AND NOT (is_admin AND deactivated_at IS NULL AND
		   (SELECT COUNT(*) FROM users WHERE is_admin AND deactivated_at IS NULL) <= 1)
		 RETURNING id`, time.Now().UnixMilli(), userID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		var exists bool
		if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)`, userID).Scan(&exists); err != nil {
			return fmt.Errorf("deactivate user: %w", err)
		}
		if exists {
			return ErrLastAdmin
		}
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("deactivate user: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("deactivate user: %w", err)
	}
	return nil
}

// ReactivateUser lets a deactivated account sign in again (with its old
// password). ErrNotFound: no such account.
func (s *Store) ReactivateUser(ctx context.Context, userID int64) error {
	var id int64
	err := s.db.QueryRowContext(ctx,
		`UPDATE users SET deactivated_at = NULL WHERE id = ? RETURNING id`, userID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("reactivate user: %w", err)
	}
	return nil
}
