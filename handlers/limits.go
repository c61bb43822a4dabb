package handlers

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/charla/charla/chat"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// Room changes: creating a room, adding someone to one, starting a direct
// conversation. One bucket per person for all three: enough to set up a
// team's rooms at once, too few to fill someone's sidebar with rooms they
// never asked for.
const (
	roomChangeBurst = 20
	roomChangeEvery = 3 * time.Second // then 20 a minute
)

// limits are charla's rate limits, kept in this process's memory: each
// instance limits what reaches it. Keys are bounded in size (an address, a
// valid username, an id), so that the limiters themselves cannot be made
// to hold much.
//
// With several instances (Config.SharedLimits), the limits that must hold
// across them (sign-ins, sign-ups) are also kept in the database: see
// sharedLimiter.
type limits struct {
	signInAccount *sharedLimiter                     // guessing one account's password, per (account, address)
	signInIP      *sharedLimiter                     // guessing many accounts' passwords
	signUp        *sharedLimiter                     // making accounts (each an argon2id hash); nil: no limit
	send          *middleware.RateLimiterMemoryStore // flooding a room; nil: no limit
	roomChanges   *middleware.RateLimiterMemoryStore // creating rooms, adding people
	typing        *middleware.RateLimiterMemoryStore // "is typing" events
}

// typingEvery is how often one person's "is typing" reaches the room at
// most: the page sends one every typingEvery while the person types, and
// shows a name for a little longer (3 s), so the mark stays while they
// type and goes soon after they stop.
const typingEvery = 2 * time.Second

// limiterMemory is how long a limiter remembers a key it has not seen, at
// least: long enough for a bucket emptied in one burst to fill again.
const limiterMemory = 10 * time.Minute

func newLimits(sendRate, signupRate float64, shared TokenStore, log *slog.Logger) limits {
	l := limits{
		signInAccount: newShared("signin-account", rate.Every(12*time.Second), 5, shared, log), // 5 a minute
		signInIP:      newShared("signin-ip", rate.Limit(1), 20, shared, log),
		roomChanges:   memoryLimiter(rate.Every(roomChangeEvery), roomChangeBurst),
		typing:        memoryLimiter(rate.Every(typingEvery), 1),
	}
	if sendRate > 0 {
		l.send = memoryLimiter(rate.Limit(sendRate), max(1, int(2*sendRate)))
	}
	if signupRate > 0 {
		l.signUp = newShared("signup", rate.Limit(signupRate/time.Hour.Seconds()), max(1, int(signupRate)), shared, log)
	}
	return l
}

func memoryLimiter(r rate.Limit, burst int) *middleware.RateLimiterMemoryStore {
	refill := time.Duration(float64(burst) / float64(r) * float64(time.Second))
	return middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate:      r,
		Burst:     burst,
		ExpiresIn: max(limiterMemory, refill),
	})
}

// roomChangeProblem is what the page says past the room-change limit.
const roomChangeProblem = "You are creating rooms and adding people too fast. Wait a little and try again."

// allowRoomChange takes one of the person's room changes, or sets
// Retry-After and says no.
func (h *Handler) allowRoomChange(c echo.Context, u chat.User) bool {
	if allow(h.limits.roomChanges, strconv.FormatInt(u.ID, 10)) {
		return true
	}
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(roomChangeEvery/time.Second)))
	return false
}

// TokenStore keeps rate limits' buckets where every instance shares them
// (db.Store, one statement a take).
type TokenStore interface {
	TakeToken(ctx context.Context, key string, perSecond float64, burst int) (bool, error)
}

// sharedLimiter is a limit that holds across instances: this instance's
// memory first, which turns a flood away without touching the database,
// then a bucket of the same size in the database, which every instance
// takes from. Without a shared store it is the memory alone.
type sharedLimiter struct {
	memory *middleware.RateLimiterMemoryStore
	shared TokenStore
	name   string // the kind of limit, before each key in the database
	rate   rate.Limit
	burst  int
	log    *slog.Logger
}

func newShared(name string, r rate.Limit, burst int, shared TokenStore, log *slog.Logger) *sharedLimiter {
	return &sharedLimiter{memory: memoryLimiter(r, burst), shared: shared, name: name, rate: r, burst: burst, log: log}
}

// allow takes one of key's attempts, or says no. A database that does not
// answer lets the attempt through (this instance's limit still holds): the
// sign-in or sign-up it guards needs the database anyway.
func (l *sharedLimiter) allow(ctx context.Context, key string) bool {
	if l == nil {
		return true
	}
	if !allow(l.memory, key) {
		return false
	}
	if l.shared == nil {
		return true
	}
	ok, err := l.shared.TakeToken(ctx, l.name+" "+key, float64(l.rate), l.burst)
	if err != nil {
		l.log.Warn("shared rate limit", "limit", l.name, "err", err)
		return true
	}
	return ok
}

func allow(store *middleware.RateLimiterMemoryStore, key string) bool {
	if store == nil {
		return true
	}
	ok, _ := store.Allow(key)
	return ok
}
