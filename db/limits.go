package db

import (
	"context"
	"fmt"
	"time"
)

// RateLimitMemory is how long a rate limit's bucket is kept after it was
// last taken from: longer than any bucket takes to fill again (the slowest,
// sign-ups, fills in an hour by default), so that forgetting one changes
// nothing.
const RateLimitMemory = 24 * time.Hour

// takeToken refills key's bucket for the time since it was last taken from
// (rate tokens a millisecond, up to burst), then takes a token if there is
// one. One statement, so that instances sharing the database share the
// bucket without a transaction (which a Turso server does not keep across
// requests). A refused attempt takes nothing.
const takeToken = `INSERT INTO rate_limits (key, tokens, at, ok) VALUES (?1, ?2 - 1, ?3, 1)
ON CONFLICT (key) DO UPDATE SET
  ok = MIN(?2, tokens + MAX(0, ?3 - at) * ?4) >= 1,
  tokens = MIN(?2, tokens + MAX(0, ?3 - at) * ?4) - (MIN(?2, tokens + MAX(0, ?3 - at) * ?4) >= 1),
  at = MAX(at, ?3)
RETURNING ok`

// TakeToken takes one of key's tokens, in a bucket that holds burst and
// fills at perSecond: whether there was one. Every instance on the
// database shares the bucket.
func (s *Store) TakeToken(ctx context.Context, key string, perSecond float64, burst int) (bool, error) {
	var ok bool
	rows, err := s.query(ctx, takeToken, key, burst, time.Now().UnixMilli(), perSecond/1000)
	if err != nil {
		return false, fmt.Errorf("rate limit: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return false, fmt.Errorf("rate limit: no row: %w", rows.Err())
	}
	if err := rows.Scan(&ok); err != nil {
		return false, fmt.Errorf("rate limit: %w", err)
	}
	return ok, rows.Close()
}
