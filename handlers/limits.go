package handlers

import (
	"time"

	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// limits are charla's rate limits, kept in this process's memory: each
// instance limits what reaches it.
type limits struct {
	signInAccount *middleware.RateLimiterMemoryStore // guessing one account's password
	signInIP      *middleware.RateLimiterMemoryStore // guessing many accounts' passwords
	send          *middleware.RateLimiterMemoryStore // flooding a room; nil: no limit
}

func newLimits(sendRate float64) limits {
	l := limits{
		signInAccount: memoryLimiter(rate.Every(12*time.Second), 5), // 5 a minute
		signInIP:      memoryLimiter(rate.Limit(1), 20),
	}
	if sendRate > 0 {
		l.send = memoryLimiter(rate.Limit(sendRate), max(1, int(2*sendRate)))
	}
	return l
}

func memoryLimiter(r rate.Limit, burst int) *middleware.RateLimiterMemoryStore {
	return middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate:      r,
		Burst:     burst,
		ExpiresIn: 10 * time.Minute,
	})
}

func allow(store *middleware.RateLimiterMemoryStore, key string) bool {
	if store == nil {
		return true
	}
	ok, _ := store.Allow(key)
	return ok
}
