// Package handlers is charla's HTTP and WebSocket surface on Echo. Handlers
// are thin: read input, call the store, the writer or the hub, render a
// views component.
package handlers

import (
	"context"
	"log/slog"
	"sync"

	"github.com/a-h/templ"
	"github.com/charla/charla/db"
	"github.com/charla/charla/hub"
	"github.com/labstack/echo/v4"
)

// History reads stored messages (db.Store).
type History interface {
	Messages(ctx context.Context, room, before int64, limit int) ([]db.Message, error)
	MessagesAfter(ctx context.Context, room, after int64, limit int) ([]db.Message, error)
}

// Poster stores a message and answers once it is committed (db.Writer).
type Poster interface {
	Post(ctx context.Context, m db.NewMessage) (db.Stored, error)
}

// Config is what the handlers need from the outside.
type Config struct {
	History History
	Poster  Poster
	Hub     *hub.Hub
	Log     *slog.Logger
	// Secret signs the name cookie.
	Secret []byte
	// SecureCookies marks cookies Secure (set when served over HTTPS).
	SecureCookies bool
	// OriginPatterns are extra hosts allowed to open the socket, besides
	// the page's own (see websocket.AcceptOptions.OriginPatterns).
	OriginPatterns []string
}

// Handler serves charla's pages and sockets.
type Handler struct {
	Config
	sockets socketSet
}

// New returns a handler; call Register to route it.
func New(cfg Config) *Handler {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Handler{Config: cfg, sockets: socketSet{conns: make(map[*socket]struct{})}}
}

// Register routes every page, form and socket on e, with the middleware
// they rely on (request log, security headers, CSRF).
func (h *Handler) Register(e *echo.Echo) {
	e.Use(RequestLog(h.Log), SecurityHeaders(), CSRF(h.SecureCookies))
	e.GET("/", h.ChatPage)
	e.GET("/messages", h.OlderMessages)
	e.POST("/messages", h.SendMessage)
	e.POST("/name", h.Rename)
	e.GET("/ws", h.Socket)
	e.GET("/healthz", func(c echo.Context) error { return c.String(200, "ok\n") })
}

// render writes a templ component as the response.
func render(c echo.Context, status int, component templ.Component) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(status)
	return component.Render(c.Request().Context(), c.Response())
}

// socketSet tracks open sockets so that shutdown can close them.
type socketSet struct {
	mu     sync.Mutex
	conns  map[*socket]struct{}
	closed bool
	wg     sync.WaitGroup
}
