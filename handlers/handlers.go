// Package handlers is charla's HTTP and WebSocket surface on Echo. Handlers
// are thin: read input, check who may do it, call the store, the writer or
// the hub, render a views component.
package handlers

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/a-h/templ"
	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/hub"
	"github.com/charla/charla/i18n"
	"github.com/charla/charla/search"
	"github.com/labstack/echo/v4"
)

// Store is what the handlers read and change in the database (db.Store).
type Store interface {
	Messages(ctx context.Context, room, before int64, limit int) ([]chat.Message, error)
	MessagesAfter(ctx context.Context, room, after int64, limit int) ([]chat.Message, error)
	Message(ctx context.Context, room, id int64) (chat.Message, error)
	ChangedAfter(ctx context.Context, room, pos int64, limit int) ([]chat.Message, error)
	CountChangedAfter(ctx context.Context, room, pos int64, limit int) (int, error)
	Cursor(ctx context.Context, room int64) (int64, error)

	CreateUser(ctx context.Context, username, passwordHash string) (chat.User, error)
	HasUsers(ctx context.Context) (bool, error)
	UserByName(ctx context.Context, username string) (chat.User, string, error)
	CreateSession(ctx context.Context, tokenHash string, userID int64, expires time.Time) error
	SessionUser(ctx context.Context, tokenHash string) (chat.User, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	CreateInvite(ctx context.Context, tokenHash string, by int64, expires time.Time) error
	ClaimInvite(ctx context.Context, tokenHash string) error
	ReleaseInvite(ctx context.Context, tokenHash string) error
	UseInvite(ctx context.Context, tokenHash string, userID int64) error
	OpenInvites(ctx context.Context) ([]chat.Invite, error)
	RevokeInvite(ctx context.Context, tokenHash string) error
	Accounts(ctx context.Context) ([]chat.User, error)
	DeactivateUser(ctx context.Context, userID int64) error
	ReactivateUser(ctx context.Context, userID int64) error
	SetLanguage(ctx context.Context, userID int64, lang string) error

	CreateRoom(ctx context.Context, name, kind string, creator int64) (chat.Room, error)
	RoomFor(ctx context.Context, roomID, userID int64) (chat.Room, bool, error)
	Rooms(ctx context.Context, userID int64) ([]chat.RoomSummary, error)
	PublicRooms(ctx context.Context, userID int64) ([]chat.Room, error)
	Join(ctx context.Context, roomID, userID int64) error
	Leave(ctx context.Context, roomID, userID int64) error
	AddMember(ctx context.Context, roomID int64, username string) (chat.User, bool, error)
	DirectRoom(ctx context.Context, a, b int64) (chat.Room, bool, error)
	Members(ctx context.Context, roomID int64) ([]chat.User, error)
	SetTopic(ctx context.Context, roomID int64, topic string) (string, error)
	Usernames(ctx context.Context, prefix string, except int64) ([]string, error)
	ReadMark(ctx context.Context, roomID, userID int64) (int64, error)
	MarkRead(ctx context.Context, roomID, userID, lastID int64) error
	UnreadMentioning(ctx context.Context, userID int64, key string) ([]chat.Message, error)
	MemberNames(ctx context.Context, roomID int64, prefix string, limit int) ([]string, error)

	Search(ctx context.Context, userID int64, q search.Query, before int64, limit int) (db.SearchResults, error)
}

// Poster stores a message, or a change to one, and answers once it is
// committed (db.Writer). It also takes the read marks of closing sockets,
// which it stores with its own writes: a disconnect never waits for
// SQLite's write lock, nor races the writer for it.
type Poster interface {
	Post(ctx context.Context, m db.NewMessage) (db.Stored, error)
	Change(ctx context.Context, c db.MessageChange) (chat.Message, error)
	MarkRead(roomID, userID, lastID int64)
}

// Signup modes (CHARLA_SIGNUP).
const (
	SignupOpen   = "open"   // anyone may create an account
	SignupInvite = "invite" // only with an invite link from an admin
)

// Config is what the handlers need from the outside.
type Config struct {
	Store  Store
	Poster Poster
	Hub    *hub.Hub
	Log    *slog.Logger
	// Secret signs the session cookie, so that a forged one is refused
	// before it costs a database lookup.
	Secret []byte
	// SecureCookies marks cookies Secure (set when served over HTTPS).
	SecureCookies bool
	// OriginPatterns are extra hosts allowed to open the socket, besides
	// the page's own (see websocket.AcceptOptions.OriginPatterns).
	OriginPatterns []string
	// Signup is SignupOpen (the default) or SignupInvite.
	Signup string
	// SendRate is how many messages a second one person may send (with
	// bursts of twice that); 0 means no limit.
	SendRate float64
	// SocketPing is how often a socket pings its peer, and how long the
	// pong may take; zero means socketPing.
	SocketPing time.Duration
	// MaxSockets is how many sockets one person may hold (tabs × rooms);
	// zero means maxSocketsPerPerson.
	MaxSockets int
	// TrustedProxies are the proxies in front (TRUSTED_PROXIES) whose
	// X-Forwarded-For and X-Forwarded-Proto are believed; without them a
	// client's address is its connection's.
	TrustedProxies []*net.IPNet
	// SignupRate is how many accounts an hour one address may sign up
	// (in bursts of as many); 0 means no limit.
	SignupRate float64
	// Observe is told what the handlers count for metrics (see
	// metrics.go); its nil funcs are skipped.
	Observe Observer
	// Relay tells the other instances who is online here (with
	// NATS_URL); nil: this is the only instance.
	Relay PresenceRelay
	// SharedLimits keeps the sign-in and sign-up limits in the database
	// too (Store must be a TokenStore), so that they hold across the
	// instances that share it: set with NATS_URL.
	SharedLimits bool
}

// sharedTokens returns where the limits shared by instances are kept, if
// they are.
func sharedTokens(cfg Config) TokenStore {
	if ts, ok := cfg.Store.(TokenStore); ok && cfg.SharedLimits {
		return ts
	}
	return nil
}

// Handler serves charla's pages and sockets.
type Handler struct {
	Config
	sockets  socketSet
	presence presence
	limits   limits
	hasher   *hasher
}

// New returns a handler; call Register to route it.
func New(cfg Config) *Handler {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Signup == "" {
		cfg.Signup = SignupOpen
	}
	return &Handler{
		Config:  cfg,
		sockets: socketSet{conns: make(map[*socket]struct{}), byUser: make(map[int64][]*socket)},
		presence: presence{
			rooms:  make(map[int64]map[int64]*online),
			remote: make(map[int64]map[int64]*remoteOnline),
			lists:  make(map[int64]*onlineList),
		},
		limits: newLimits(cfg.SendRate, cfg.SignupRate, cfg.Observe.Refused, sharedTokens(cfg), cfg.Log),
		hasher: newHasher(),
	}
}

// Register routes every page, form and socket on e, with the middleware
// they rely on (request log, security headers, CSRF, sessions).
func (h *Handler) Register(e *echo.Echo) {
	e.HTTPErrorHandler = h.ErrorHandler
	e.IPExtractor = ipExtractor(h.TrustedProxies)
	e.Use(RequestLog(h.Log), Recover(h.Log), Deadline(), Language, SecurityHeaders(h.secure), BodyLimit(), CSRF(h.secure), h.authenticate)
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/mentions.css", h.MentionStyle) // the same for everyone with its address: see MentionStyle

	e.GET("/signup", h.SignUpPage)
	e.POST("/signup", h.SignUp)
	e.GET("/signin", h.SignInPage)
	e.POST("/signin", h.SignIn)
	e.POST("/signout", h.SignOut)

	// Everything below needs a signed-in person; the room routes also
	// check membership (see room).
	e.GET("/", h.Home, requireUser)
	e.GET(settingsPath, h.SettingsPage, requireUser)
	e.POST(settingsPath, h.SaveSettings, requireUser)
	e.POST("/rooms", h.CreateRoom, requireUser)
	e.POST("/direct", h.StartDirect, requireUser)
	e.GET("/search", h.SearchPage, requireUser)
	e.GET("/rooms/:id", h.RoomPage, requireUser)
	e.GET("/rooms/:id/messages", h.OlderMessages, requireUser)
	e.GET("/rooms/:id/names", h.MentionNames, requireUser)
	e.GET("/rooms/:id/notice", h.Notice, requireUser)
	e.POST(sendRoute, h.SendMessage, requireUser)
	e.GET("/rooms/:id/messages/:mid", h.MessagePage, requireUser)
	e.POST(editRoute, h.EditMessage, requireUser)
	e.POST("/rooms/:id/messages/:mid/delete", h.DeleteMessage, requireUser)
	e.POST("/rooms/:id/messages/:mid/react", h.ReactToMessage, requireUser)
	e.GET("/me.css", h.MyStyles, requireUser)
	e.GET("/rooms/:id/ws", h.Socket) // answers 401 itself: see Socket
	e.POST("/rooms/:id/join", h.JoinRoom, requireUser)
	e.POST("/rooms/:id/leave", h.LeaveRoom, requireUser)
	e.GET("/rooms/:id/members", h.MembersPage, requireUser)
	e.POST("/rooms/:id/members", h.AddMember, requireUser)
	e.GET("/rooms/:id/leave", h.LeavePage, requireUser)
	e.POST("/rooms/:id/topic", h.SetTopic, requireUser)
	e.GET("/people", h.Suggest, requireUser)
	// A form's address opened as a page (from history, or the address
	// bar after a form answered in place, as the room-change limit's 429
	// does) goes to the page the form belongs to, not "Method Not Allowed".
	e.GET("/rooms", toHome, requireUser)
	e.GET("/direct", toHome, requireUser)
	e.GET("/rooms/:id/join", toRoom, requireUser)
	e.GET("/rooms/:id/messages/:mid/:change", toMessage, requireUser)
	e.GET("/rooms/:id/topic", toMembers, requireUser)
	e.GET("/admin/invites", h.InvitesPage, requireAdmin)
	e.POST("/admin/invites", h.CreateInvite, requireAdmin)
	e.POST("/admin/invites/revoke", h.RevokeInvite, requireAdmin)
	e.GET("/admin/invites/revoke", toInvites, requireAdmin)
	e.GET("/admin/people", h.PeoplePage, requireAdmin)
	e.POST("/admin/people/:id/deactivate", h.Deactivate, requireAdmin)
	e.POST("/admin/people/:id/reactivate", h.Reactivate, requireAdmin)
	e.GET("/admin/people/:id/deactivate", toPeople, requireAdmin)
	e.GET("/admin/people/:id/reactivate", toPeople, requireAdmin)
}

// ipExtractor says where a request comes from: its connection's address,
// unless that is one of the proxies, which then say it in
// X-Forwarded-For. Echo's default believes X-Forwarded-For from anyone, and
// its XFF extractor trusts private and loopback proxies unless told not to.
func ipExtractor(proxies []*net.IPNet) echo.IPExtractor {
	if len(proxies) == 0 {
		return echo.ExtractIPDirect()
	}
	trust := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range proxies {
		trust = append(trust, echo.TrustIPRange(p))
	}
	return echo.ExtractIPFromXFFHeader(trust...)
}

// render writes a templ component as the response, in the reader's
// language.
func render(c echo.Context, status int, component templ.Component) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(status)
	return component.Render(i18n.WithLang(c.Request().Context(), langOf(c)), c.Response())
}

// newKey returns a fresh one-time message key (the composer's first one;
// charla.js makes the next ones).
func newKey() string {
	return rand.Text()
}
