package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

// TestTakeToken: a bucket shared through the database allows its burst,
// then refuses (a refusal takes nothing), keys apart; on both backends.
func TestTakeToken(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		take := func(key string) bool {
			t.Helper()
			ok, err := s.TakeToken(ctx, key, 0.001, 3) // one every 1000 s: none refills here
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		for i := range 3 {
			if !take("ana") {
				t.Fatalf("attempt %d of a burst of 3 refused", i+1)
			}
		}
		for range 2 {
			if take("ana") {
				t.Fatal("a fourth attempt allowed")
			}
		}
		if !take("bea") {
			t.Fatal("another key refused")
		}
		// A fast refill: the bucket fills again within a moment.
		for range 2 {
			if ok, err := s.TakeToken(ctx, "fast", 1000, 1); err != nil || !ok {
				t.Fatalf("fast bucket: %v, %v", ok, err)
			}
			time.Sleep(5 * time.Millisecond) // five tokens' worth
		}
	})
}

// BenchmarkTakeToken is what a shared limit adds to a sign-in (which also
// hashes a password with argon2id): go test -run - -bench TakeToken ./db/
func BenchmarkTakeToken(b *testing.B) {
	s := dbtest.File(b)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		if _, err := s.TakeToken(ctx, "bench", 1e9, 1<<30); err != nil {
			b.Fatal(err)
		}
	}
}
