package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

const (
	// requestTimeout bounds each HTTP request's work, its database queries
	// above all: a hung database answers "database unavailable" (503)
	// instead of holding the request, and its connection, for as long as
	// it hangs. A socket's request is bounded too, up to the end of its
	// replay; the socket then lives on contexts of its own.
	requestTimeout = 5 * time.Second
	// sendTimeout bounds how long a socket's message waits for its commit
	// before the page is told it is not confirmed. It is shorter than a
	// page's: the socket's reader takes the person's next message only
	// after this one is answered.
	sendTimeout = 3 * time.Second
)

// dbUnavailable is what a page says when the database did not answer in
// time (a catalog id).
const dbUnavailable = "error.db-unavailable"

// Deadline gives each request's context requestTimeout. A request that
// fails once its deadline has passed answers 503 "database unavailable":
// waiting for the database is all a request here does for that long.
//
// Once the handler returns, the request gets its own context back, so that
// the error handler and the request log, which run after, tell a client
// who left (its context cancelled) from this middleware's own clean-up
// (Echo's ContextTimeout leaves the cancelled context behind, and every
// error looked like a client gone).
func Deadline() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
			defer cancel()
			c.SetRequest(r.WithContext(ctx))
			defer func() { c.SetRequest(c.Request().WithContext(r.Context())) }() // even through a panic
			err := next(c)
			if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return &echo.HTTPError{Code: http.StatusServiceUnavailable, Message: dbUnavailable, Internal: err}
			}
			return err
		}
	}
}

// Recover turns a panic in a handler into a 500 page, logged with its
// stack; the server goes on.
func Recover(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableStackAll: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			log.Error("handler panic", "method", c.Request().Method, "path", c.Request().URL.Path,
				"panic", err, "stack", string(stack))
			return err
		},
	})
}

// errPanic ends a socket whose goroutine panicked.
var errPanic = errors.New("internal error")

// readSafely is read, surviving a panic: it is logged with its stack and the
// socket is closed with 1011 (internal error); the server goes on.
func (h *Handler) readSafely(s *socket) (err error) {
	defer func() {
		if r := recover(); r != nil {
			h.crashed(s, r)
			s.closeCode.Store(int32(websocket.StatusInternalError))
			s.conn.Close(websocket.StatusInternalError, errPanic.Error())
			err = fmt.Errorf("%w: %v", errPanic, r)
		}
	}()
	return h.read(s)
}

// survive, deferred on a socket's writing goroutines, turns a panic into a
// 1011 close of that socket alone.
func (h *Handler) survive(s *socket) {
	if r := recover(); r != nil {
		h.crashed(s, r)
		s.close(websocket.StatusInternalError, errPanic.Error())
	}
}

// crashed logs a socket's panic and stops its writing for good.
func (h *Handler) crashed(s *socket, r any) {
	s.log().Error("websocket panic", "panic", r, "stack", string(debug.Stack()))
	s.mu.Lock()
	s.dead, s.flushing = true, true // no writer starts again
	s.mu.Unlock()
}
