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

// Username suggestions, per person: a field asks once a pause in typing
// (views.SuggestDelay), so a person typing names never nears this, while
// a script listing every account by prefixes is held to a crawl.
const (
	suggestBurst = 30
	suggestRate  = 2 // a second, after the burst
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
//
// With several instances (Config.SharedLimits), the limits that must hold
// across them (sign-ins, sign-ups) are also kept in the database: see
// allowShared.
type limits struct {
	signInAccount *limiter // guessing one account's password, per (account, address)
	signInIP      *limiter // guessing many accounts' passwords
	signUp        *limiter // making accounts (each an argon2id hash); nil: no limit
	send          *limiter // flooding a room; nil: no limit
	roomChanges   *limiter // creating rooms, adding people
	search        *limiter // searching, per person
	typing        *limiter // "is typing" events
	suggest       *limiter // username autocomplete
}

// typingEvery is how often one person's "is typing" reaches the room at
// most: the page sends one every typingEvery while the person types, and
// shows a name for a little longer (3 s), so the mark stays while they
// type and goes soon after they stop.
const typingEvery = 2 * time.Second

// limiter is one rate limit: its buckets, and its name for the metrics of
// what it refused.
type limiter struct {
	store   *middleware.RateLimiterMemoryStore
	name    string
	refused func(limit string) // Observer.Refused; may be nil

	rate   rate.Limit
	burst  int
	shared TokenStore   // where instances share the buckets (allowShared); nil: none
	log    *slog.Logger // for a shared store that does not answer
}

// Names of the limits, as the rate-limit refusal metric labels them.
const (
	limitSignInAccount = "signin_account"
	limitSignInIP      = "signin_address"
	limitSignUp        = "signup"
	limitSend          = "send"
	limitRoomChanges   = "room_changes"
	limitTyping        = "typing"
	limitSuggest       = "suggest"
	limitSearch        = "search"
)

// limiterMemory is how long a limiter remembers a key it has not seen, at
// least: long enough for a bucket emptied in one burst to fill again.
const limiterMemory = 10 * time.Minute

// newLimits makes the limits; refused, if not nil, is told of each
// refusal; shared, if not nil, keeps the sign-in and sign-up limits for
// every instance.
func newLimits(sendRate, signupRate float64, refused func(limit string), shared TokenStore, log *slog.Logger) limits {
	l := limits{
		signInAccount: memoryLimiter(limitSignInAccount, rate.Every(12*time.Second), 5, refused), // 5 a minute
		signInIP:      memoryLimiter(limitSignInIP, rate.Limit(1), 20, refused),
		roomChanges:   memoryLimiter(limitRoomChanges, rate.Every(roomChangeEvery), roomChangeBurst, refused),
		typing:        memoryLimiter(limitTyping, rate.Every(typingEvery), 1, refused),
		suggest:       memoryLimiter(limitSuggest, rate.Limit(suggestRate), suggestBurst, refused),
		search:        memoryLimiter(limitSearch, rate.Every(searchEvery), searchBurst, refused),
	}
	if sendRate > 0 {
		l.send = memoryLimiter(limitSend, rate.Limit(sendRate), max(1, int(2*sendRate)), refused)
	}
	if signupRate > 0 {
		l.signUp = memoryLimiter(limitSignUp, rate.Limit(signupRate/time.Hour.Seconds()), max(1, int(signupRate)), refused)
	}
	for _, s := range []*limiter{l.signInAccount, l.signInIP, l.signUp} {
		if s != nil {
			s.shared, s.log = shared, log
		}
	}
	return l
}

func memoryLimiter(name string, r rate.Limit, burst int, refused func(string)) *limiter {
	refill := time.Duration(float64(burst) / float64(r) * float64(time.Second))
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate:      r,
		Burst:     burst,
		ExpiresIn: max(limiterMemory, refill),
	})
	return &limiter{store: store, name: name, refused: refused, rate: r, burst: burst}
}

// roomChangeProblem is what the page says past the room-change limit (a
// catalog id).
const roomChangeProblem = "problem.room-change"

// allowRoomChange takes one of the person's room changes, or sets
// Retry-After and says no.
func (h *Handler) allowRoomChange(c echo.Context, u chat.User) bool {
	if allow(h.limits.roomChanges, strconv.FormatInt(u.ID, 10)) {
		return true
	}
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(roomChangeEvery/time.Second)))
	return false
}

// allow takes a token from key's bucket, or counts a refusal and says no.
func allow(l *limiter, key string) bool {
	if try(l, key) {
		return true
	}
	l.refuse()
	return false
}

// TokenStore keeps rate limits' buckets where every instance shares them
// (db.Store, one statement a take).
type TokenStore interface {
	TakeToken(ctx context.Context, key string, perSecond float64, burst int) (bool, error)
}

// allowShared is allow for a limit that holds across instances: this
// instance's buckets first, which turn a flood away without touching the
// database, then a bucket of the same size in the database, which every
// instance takes from. A database that does not answer lets the attempt
// through (this instance's limit still holds): the sign-in or sign-up it
// guards needs the database anyway.
func allowShared(ctx context.Context, l *limiter, key string) bool {
	if !allow(l, key) {
		return false
	}
	if l == nil || l.shared == nil {
		return true
	}
	ok, err := l.shared.TakeToken(ctx, l.name+" "+key, float64(l.rate), l.burst)
	if err != nil {
		l.log.Warn("shared rate limit", "limit", l.name, "err", err)
		return true
	}
	if !ok {
		l.refuse()
	}
	return ok
}

// try takes a token from key's bucket if there is one, counting nothing:
// for a caller that waits for one (awaitSendToken) and counts once.
func try(l *limiter, key string) bool {
	if l == nil {
		return true
	}
	ok, _ := l.store.Allow(key)
	return ok
}

// refuse counts one refusal by l.
func (l *limiter) refuse() {
	if l.refused != nil {
		l.refused(l.name)
	}
}
