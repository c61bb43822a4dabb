package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/charla/charla/chat"
)

// maxOpenInvites bounds the admin's list of open invites: far more than
// anyone hands out in a week, which is as long as one lasts.
const maxOpenInvites = 500

// OpenInvites returns the invitations nobody has used, claimed or let
// expire, newest first.
func (s *Store) OpenInvites(ctx context.Context) ([]chat.Invite, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT i.token_hash, u.username, i.created_at, i.expires_at
		 FROM invites i JOIN users u ON u.id = i.created_by
		 WHERE i.claimed_at IS NULL AND i.used_by IS NULL AND i.expires_at > ?
		 ORDER BY i.created_at DESC, i.token_hash LIMIT ?`, time.Now().UnixMilli(), maxOpenInvites)
	if err != nil {
		return nil, fmt.Errorf("open invites: %w", err)
	}
	defer rows.Close()
	var out []chat.Invite
	for rows.Next() {
		var inv chat.Invite
		var created, expires int64
		if err := rows.Scan(&inv.ID, &inv.By, &created, &expires); err != nil {
			return nil, fmt.Errorf("open invites: %w", err)
		}
		inv.Created, inv.Expires = time.UnixMilli(created), time.UnixMilli(expires)
		out = append(out, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("open invites: %w", err)
	}
	return out, nil
}

// RevokeInvite deletes an invitation nobody has signed up with, so that
// its link no longer works. ErrNotFound: no such open invitation.
func (s *Store) RevokeInvite(ctx context.Context, tokenHash string) error {
	// RETURNING, not RowsAffected: libSQL servers do not all report counts.
	var gone string
	err := s.db.QueryRowContext(ctx,
		`DELETE FROM invites WHERE token_hash = ? AND used_by IS NULL RETURNING token_hash`, tokenHash).Scan(&gone)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("revoke invite: %w", err)
	}
	return nil
}
