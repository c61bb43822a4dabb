package handlers

import (
	"context"
	"time"
)

// HoldHashes takes every hashing slot until release is called, and has
// those who wait for one give up after wait.
func (h *Handler) HoldHashes(wait time.Duration) (release func()) {
	h.hasher.wait.Store(int64(wait))
	h.hasher.slots.Acquire(context.Background(), h.hasher.size)
	return func() {
		h.hasher.slots.Release(h.hasher.size)
		h.hasher.wait.Store(int64(maxHashWait))
	}
}
