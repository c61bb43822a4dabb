package handlers

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/sync/semaphore"
)

// Argon2id parameters: OWASP's minimum for argon2id (19 MiB, 2 passes,
// 1 lane), which costs about 30 ms here: slow for a guesser, bearable for a
// sign-in.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
)

// Password length rules, after NIST SP 800-63B: long enough, no
// composition rules, and a cap so that hashing stays bounded.
const (
	minPasswordLen = 8
	maxPasswordLen = 128
)

// maxHashWait is how long a sign-up or sign-in waits for a hashing slot
// before it is told the server is busy: long enough to ride out a burst of
// people, short enough that a flood is answered rather than queued, and
// well inside requestTimeout, so that a crowd is told "busy" (and retries)
// rather than "database unavailable".
const maxHashWait = 3 * time.Second

// errBusy: every hashing slot stayed taken for the whole wait.
var errBusy = errors.New("too many password hashes waiting")

// hasher runs argon2id at most one per core at a time. Each hash takes
// 19 MiB and a core for tens of milliseconds: unbounded, a crowd of
// sign-ups (or guesses) takes the memory of 19 MiB × the crowd.
type hasher struct {
	slots   *semaphore.Weighted
	size    int64
	wait    atomic.Int64 // a time.Duration: maxHashWait, shorter in tests
	pending atomic.Int64 // hashes waiting for a slot or running
}

func newHasher() *hasher {
	n := int64(runtime.GOMAXPROCS(0))
	h := &hasher{slots: semaphore.NewWeighted(n), size: n}
	h.wait.Store(int64(maxHashWait))
	return h
}

// run waits up to h.wait for a slot, then runs f in it.
func (h *hasher) run(ctx context.Context, f func()) error {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(h.wait.Load()))
	defer cancel()
	h.pending.Add(1)
	defer h.pending.Add(-1)
	if err := h.slots.Acquire(ctx, 1); err != nil {
		return errBusy
	}
	defer h.slots.Release(1)
	f()
	// The hash's 19 MiB are garbage now. When others are hashing or
	// waiting to, hashes follow each other at up to a gigabyte a second,
	// and the collector, left to its pace, lets garbage grow to the size
	// of the live heap, which the hashes in flight swell: 1,000 sign-ups
	// at once peaked at 192 MB RSS instead of 116 MB. Collecting then is
	// cheap next to the hash (its blocks hold no pointers to scan); a
	// sign-in alone does not collect.
	if h.pending.Load() > 1 {
		runtime.GC()
	}
	return nil
}

// hash returns password's argon2id hash, within a slot.
func (h *hasher) hash(ctx context.Context, password string) (hash string, err error) {
	err = h.run(ctx, func() { hash = hashPassword(password) })
	return hash, err
}

// check reports whether password matches hash, within a slot.
func (h *hasher) check(ctx context.Context, hash, password string) (ok bool, err error) {
	if rerr := h.run(ctx, func() { ok, err = checkPassword(hash, password) }); rerr != nil {
		return false, rerr
	}
	return ok, err
}

// hashPassword returns an argon2id hash in the PHC string format, which
// carries its parameters, so they can change without breaking old hashes.
func hashPassword(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// checkPassword reports whether password matches hash, in constant time.
func checkPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("unknown password hash format")
	}
	var version int
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errors.New("unknown argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false, fmt.Errorf("argon2 parameters: %w", err)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when a username does not exist, so that a
// sign-in takes as long whether or not the account exists.
var dummyHash = hashPassword("charla-dummy-password")
