package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/charla/charla/db"
	"github.com/labstack/echo/v4"
)

// readyTimeout bounds one readiness check as a whole: a load balancer
// probes every few seconds and must hear "not ready" from a hung database,
// not wait on it. A database that takes longer than this to answer a
// one-row query is not one to send people to.
const readyTimeout = 2 * time.Second

// readiness answers /readyz: whether this instance can serve people now.
// /healthz (in handlers) only says the process answers; a supervisor
// restarts on that, a load balancer routes on this.
type readiness struct {
	store *db.Store
	log   *slog.Logger
	// down: the last check failed. Changes are logged, not every probe.
	down atomic.Bool
	// broker reports whether the broker that carries events between
	// instances is connected; nil when none is configured (one instance,
	// in-process hub). The NATS hub sets it to a check of its connection
	// (nats.Conn.Status() == nats.CONNECTED), so that an instance cut off
	// from the others stops getting people who would miss their events.
	broker func(context.Context) error
}

// check returns why the instance is not ready, or nil: the database
// answers, its migrations are current, and the broker (if any) is
// connected.
func (r *readiness) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	// A real query: a ping on a pooled connection to a file says nothing.
	var one int
	if err := r.store.DB().QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	pending, err := r.store.MigrationsPending(ctx)
	if err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	if pending {
		return errors.New("database migrations pending: run charla with CHARLA_MIGRATE unset (or true) once")
	}
	if r.broker != nil {
		if err := r.broker(ctx); err != nil {
			return fmt.Errorf("broker not connected: %w", err)
		}
	}
	return nil
}

// handle is GET /readyz: 200 "ready", or 503 with the reason on one line.
func (r *readiness) handle(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	err := r.check(c.Request().Context())
	if err != nil && !r.down.Swap(true) {
		r.log.Warn("not ready", "reason", err)
	} else if err == nil && r.down.Swap(false) {
		r.log.Info("ready again")
	}
	if err != nil {
		reason := strings.ReplaceAll(err.Error(), "\n", " ")
		return c.String(http.StatusServiceUnavailable, "not ready: "+reason+"\n")
	}
	return c.String(http.StatusOK, "ready\n")
}
