package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charla/charla/chat"
)

var (
	// ErrNotFound: no such row (or none this person may see).
	ErrNotFound = errors.New("not found")
	// ErrTaken: the username or room name is in use.
	ErrTaken = errors.New("already taken")
	// ErrBadUsername: not 3 to 32 letters, digits, dots, dashes or underscores.
	ErrBadUsername = errors.New("usernames are 3 to 32 letters, digits, dots, dashes or underscores")
)

// ValidUsername reports whether name can be a username: 3 to 32 letters
// (of any language), digits, dots, dashes or underscores, once normalised
// (see names.go), so that it is unambiguous on screen.
func ValidUsername(name string) bool {
	_, _, ok := NormalUsername(name)
	return ok
}

// CreateUser stores a new account, under its normalised name and key (see
// names.go): a name that looks like a taken one is ErrTaken. The first
// account ever created is the admin: the statement decides it, so two
// first sign-ups cannot both be. Every account joins the "general" room.
func (s *Store) CreateUser(ctx context.Context, username, passwordHash string) (chat.User, error) {
	username, key, ok := NormalUsername(username)
	if !ok {
		return chat.User{}, ErrBadUsername
	}
	now := time.Now().UnixMilli()
	var u chat.User
	err := s.db.QueryRowContext(ctx,
		`INSERT INTO users (username, username_key, password_hash, is_admin, created_at)
		 VALUES (?, ?, ?, (SELECT COUNT(*) = 0 FROM users), ?)
		 RETURNING id, username, is_admin`, username, key, passwordHash, now).Scan(&u.ID, &u.Username, &u.Admin)
	if isUniqueViolation(err) {
		return chat.User{}, ErrTaken
	}
	if err != nil {
		return chat.User{}, fmt.Errorf("create user: %w", err)
	}
	if err := s.Join(ctx, GeneralRoom, u.ID); err != nil {
		return chat.User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// HasUsers reports whether any account exists.
func (s *Store) HasUsers(ctx context.Context) (bool, error) {
	var any bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&any); err != nil {
		return false, fmt.Errorf("has users: %w", err)
	}
	return any, nil
}

// UserByName returns the account called username, however its capitals
// and accents were typed (by its key: see names.go), and its password hash.
func (s *Store) UserByName(ctx context.Context, username string) (chat.User, string, error) {
	key := UsernameKey(username)
	if key == "" {
		return chat.User{}, "", ErrNotFound
	}
	var u chat.User
	var hash string
	err := s.db.QueryRowContext(ctx,
		`SELECT id, username, is_admin, deactivated_at IS NOT NULL, lang, password_hash FROM users WHERE username_key = ?`, key).
		Scan(&u.ID, &u.Username, &u.Admin, &u.Deactivated, &u.Lang, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return chat.User{}, "", ErrNotFound
	}
	if err != nil {
		return chat.User{}, "", fmt.Errorf("user %q: %w", username, err)
	}
	return u, hash, nil
}

// CreateSession stores a session for user under the token's hash.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, userID int64, expires time.Time) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		tokenHash, userID, time.Now().UnixMilli(), expires.UnixMilli())
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionUser returns the user of a live session. A deactivated account
// has no live session, whatever rows remain.
func (s *Store) SessionUser(ctx context.Context, tokenHash string) (chat.User, error) {
	var u chat.User
	st, err := s.prepared(ctx,
		`SELECT u.id, u.username, u.is_admin, u.lang FROM sessions s JOIN users u ON u.id = s.user_id
		 WHERE s.token_hash = ? AND s.expires_at > ? AND u.deactivated_at IS NULL`)
	if err == nil {
		err = st.QueryRowContext(ctx, tokenHash, time.Now().UnixMilli()).Scan(&u.ID, &u.Username, &u.Admin, &u.Lang)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return chat.User{}, ErrNotFound
	}
	if err != nil {
		return chat.User{}, fmt.Errorf("session: %w", err)
	}
	return u, nil
}

// SetLanguage stores the language userID reads charla in: a tag ("en",
// "es"), or "" to follow the browser's.
func (s *Store) SetLanguage(ctx context.Context, userID int64, lang string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE users SET lang = ? WHERE id = ?`, lang, userID); err != nil {
		return fmt.Errorf("set language: %w", err)
	}
	return nil
}

// DeleteSession ends a session (sign-out).
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// CreateInvite stores a sign-up invitation under the token's hash.
func (s *Store) CreateInvite(ctx context.Context, tokenHash string, by int64, expires time.Time) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO invites (token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		tokenHash, by, time.Now().UnixMilli(), expires.UnixMilli())
	if err != nil {
		return fmt.Errorf("create invite: %w", err)
	}
	return nil
}

// ClaimInvite takes an unused, unexpired invitation for one sign-up. Only
// one of several concurrent claims of one token wins. A sign-up that then
// fails gives it back with ReleaseInvite; one that succeeds records its
// user with UseInvite.
func (s *Store) ClaimInvite(ctx context.Context, tokenHash string) error {
	now := time.Now().UnixMilli()
	// RETURNING, not RowsAffected: libSQL servers do not all report counts.
	var claimed string
	err := s.db.QueryRowContext(ctx,
		`UPDATE invites SET claimed_at = ? WHERE token_hash = ? AND claimed_at IS NULL AND expires_at > ?
		 RETURNING token_hash`, now, tokenHash, now).Scan(&claimed)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("claim invite: %w", err)
	}
	return nil
}

// ReleaseInvite makes a claimed invitation usable again.
func (s *Store) ReleaseInvite(ctx context.Context, tokenHash string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE invites SET claimed_at = NULL WHERE token_hash = ? AND used_by IS NULL`, tokenHash)
	if err != nil {
		return fmt.Errorf("release invite: %w", err)
	}
	return nil
}

// UseInvite records who signed up with a claimed invitation.
func (s *Store) UseInvite(ctx context.Context, tokenHash string, userID int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE invites SET used_by = ? WHERE token_hash = ?`, userID, tokenHash)
	if err != nil {
		return fmt.Errorf("use invite: %w", err)
	}
	return nil
}

// isUniqueViolation tells a UNIQUE constraint failure from other errors,
// in the words of both SQLite and libSQL servers.
func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(strings.ToUpper(err.Error()), "UNIQUE")
}

// DeleteExpired removes sessions and invitations past their time, which
// nobody can use any more, and rate limits' buckets unused for
// RateLimitMemory, and returns how many went.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	now := time.Now().UnixMilli()
	var n int64
	for q, before := range map[string]int64{
		`DELETE FROM sessions WHERE expires_at <= ? RETURNING 1`:                    now,
		`DELETE FROM invites WHERE expires_at <= ? AND used_by IS NULL RETURNING 1`: now,
		`DELETE FROM rate_limits WHERE at <= ? RETURNING 1`:                         now - RateLimitMemory.Milliseconds(),
	} {
		// RETURNING, not RowsAffected: libSQL servers do not all report counts.
		rows, err := s.db.QueryContext(ctx, q, before)
		if err != nil {
			return n, fmt.Errorf("delete expired: %w", err)
		}
		for rows.Next() {
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, fmt.Errorf("delete expired: %w", err)
		}
	}
	return n, nil
}
