package handlers

import (
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

// Searches, per person. A search on a database without FTS5 reads every
// message of the person's rooms whose words it must check (0.2 s on
// 100,000 messages): enough for a person paging through results, too few
// to keep the database busy for others.
const (
	searchBurst = 10
	searchEvery = 500 * time.Millisecond // then 2 a second
)

// limits are charla's rate limits, kept in this process's memory: each
// instance limits what reaches it. Keys are bounded in size (an address, a
// valid username, an id), so that the limiters themselves cannot be made
// to hold much.
type limits struct {
	signInAccount *middleware.RateLimiterMemoryStore // guessing one account's password, per (account, address)
	signInIP      *middleware.RateLimiterMemoryStore // guessing many accounts' passwords
	signUp        *middleware.RateLimiterMemoryStore // making accounts (each an argon2id hash); nil: no limit
	send          *middleware.RateLimiterMemoryStore // flooding a room; nil: no limit
	roomChanges   *middleware.RateLimiterMemoryStore // creating rooms, adding people
	search        *middleware.RateLimiterMemoryStore // searching, per person
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

func newLimits(sendRate, signupRate float64) limits {
	l := limits{
		signInAccount: memoryLimiter(rate.Every(12*time.Second), 5), // 5 a minute
		signInIP:      memoryLimiter(rate.Limit(1), 20),
		roomChanges:   memoryLimiter(rate.Every(roomChangeEvery), roomChangeBurst),
		search:        memoryLimiter(rate.Every(searchEvery), searchBurst),
		typing:        memoryLimiter(rate.Every(typingEvery), 1),
	}
	if sendRate > 0 {
		l.send = memoryLimiter(rate.Limit(sendRate), max(1, int(2*sendRate)))
	}
	if signupRate > 0 {
		l.signUp = memoryLimiter(rate.Limit(signupRate/time.Hour.Seconds()), max(1, int(signupRate)))
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

func allow(store *middleware.RateLimiterMemoryStore, key string) bool {
	if store == nil {
		return true
	}
	ok, _ := store.Allow(key)
	return ok
}
