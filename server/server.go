// Package server is charla put together: it opens the store, migrates
// it, starts the writer and the hub, builds Echo with the handlers and the
// assets, and serves until its context ends, then stops gracefully. It
// also reads the settings (config.go) and holds the HTTP server's timeouts
// and the graceful stop. It is a package, not part of main, so that tests
// (the browser tests in e2e/ above all) run the whole server in-process,
// stop it and start it again, exactly as the binary does.
package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"

	"github.com/charla/charla/broker"
	"github.com/charla/charla/db"
	"github.com/charla/charla/handlers"
	"github.com/charla/charla/hub"
	"github.com/charla/charla/static"
	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

// Run runs charla until ctx ends, then stops gracefully: no new
// connections, sockets closed with 1012 so that pages reconnect, queued
// messages stored, database closed. ready, if not nil, gets the address
// once the server listens.
func Run(ctx context.Context, cfg Config, log *slog.Logger, ready func(addr string)) error {
	store, err := db.Open(ctx, cfg.DatabaseURL, cfg.AuthToken)
	if err != nil {
		return err
	}
	defer store.Close()
	if !cfg.SkipMigrate {
		if err := store.Migrate(ctx); err != nil {
			return err
		}
	}
	secret, err := cookieSecret(ctx, cfg, store)
	if err != nil {
		return err
	}

	janitorCtx, stopJanitor := context.WithCancel(context.Background())
	var janitorDone sync.WaitGroup
	janitorDone.Go(func() { sweep(janitorCtx, store, log) })
	log.Info("search index", "kind", store.SearchKind())
	janitorDone.Go(func() { store.KeepSearchIndexed(janitorCtx, log) })
	defer func() { stopJanitor(); janitorDone.Wait() }()

	rooms := hub.New()
	m := newMetrics()
	pub, nats, stopRelay, err := relay(cfg, store, rooms, log)
	if err != nil {
		return err
	}
	defer stopRelay()
	writer := db.NewWriter(store, m.counted(pub), log)
	writer.Observe = m.observeCommit
	writerCtx, stopWriter := context.WithCancel(context.Background())
	var writerDone sync.WaitGroup
	writerDone.Go(func() { writer.Run(writerCtx) })
	defer func() { stopWriter(); writerDone.Wait() }()

	h := handlers.New(handlers.Config{
		Store:          store,
		Poster:         writer,
		Hub:            rooms,
		Log:            log,
		Secret:         secret,
		SecureCookies:  cfg.CookieSecure,
		OriginPatterns: cfg.AllowedOrigin,
		Signup:         cfg.Signup,
		SendRate:       cfg.SendRate,
		MaxSockets:     cfg.MaxSockets,
		SignupRate:     cfg.SignupRate,
		TrustedProxies: cfg.TrustedProxies,
		Observe:        m.observer(),
		SharedLimits:   nats != nil,
	})
	readyz := &readiness{store: store, log: log}
	broker := brokerState{name: "in-process"}
	if nats != nil {
		h.Relay = nats
		nats.UsePresence(h)
		readyz.broker = func(context.Context) error {
			if !nats.Connected() {
				return errors.New("NATS unreachable (this instance delivers its own events only)")
			}
			return nil
		}
		broker = brokerState{name: "nats", connected: nats.Connected}
	}
	m.watch(h, rooms, broker)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	h.Register(e)
	e.GET("/readyz", readyz.handle)
	views.AssetVersion = static.Version()
	e.Group("/static", immutable).StaticFS("/", static.FS)

	if cfg.DebugAddr != "" {
		go servePprof(cfg.DebugAddr, m.handler(), log)
	}
	if cfg.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg.MetricsAddr, m, log)
		if err != nil {
			return fmt.Errorf("CHARLA_METRICS_ADDR: %w", err)
		}
		defer stopMetrics()
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	timeouts := cfg.Timeouts.withDefaults()
	srv := &http.Server{Handler: e, ReadHeaderTimeout: timeouts.ReadHeader, ReadTimeout: timeouts.Read, IdleTimeout: timeouts.Idle}
	var silent silentConns
	srv.ConnState = silent.track
	log.Info("charla listening", "addr", ln.Addr().String(), "database", db.Redact(cfg.DatabaseURL))
	if ready != nil {
		ready(ln.Addr().String())
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	log.Info("charla shutting down")
	return stopServing(srv, &silent, h.CloseSockets, serveErr, log)
}

// relay returns what the writer hands its events to: the hub, through
// handlers.Publisher; with NATS_URL, a broker.Relay (also returned) that
// carries them to the other instances and takes theirs, each room's events
// in order (see broker). stop ends it, after the writer has stopped.
func relay(cfg Config, store *db.Store, rooms *hub.Hub, log *slog.Logger) (pub db.Publisher, nats *broker.Relay, stop func(), err error) {
	local := handlers.Publisher(rooms)
	if cfg.NATSURL == "" {
		return local, nil, func() {}, nil
	}
	r, err := broker.Dial(cfg.NATSURL, store, rooms, local, log)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	var done sync.WaitGroup
	done.Go(func() { r.Run(ctx) })
	return r, r, func() { cancel(); done.Wait() }, nil
}

// sweepEvery is how often expired sessions and invitations are deleted;
// sweepTimeout bounds one sweep, so that a hung database does not hold one
// of the pool's connections for as long as it hangs.
const (
	sweepEvery   = time.Hour
	sweepTimeout = 30 * time.Second
)

// sweep deletes expired sessions and invitations now and every sweepEvery
// until ctx ends, so that the tables do not grow for ever.
func sweep(ctx context.Context, store *db.Store, log *slog.Logger) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		sweepCtx, cancel := context.WithTimeout(ctx, sweepTimeout)
		n, err := store.DeleteExpired(sweepCtx)
		cancel()
		if err != nil && ctx.Err() == nil {
			log.Warn("sweep expired sessions", "err", err)
		} else if n > 0 {
			log.Info("swept expired sessions and invites", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// cookieSecret returns COOKIE_SECRET, or the secret kept in the database,
// made on first start, so that cookies survive restarts and are shared by
// every instance on one database.
func cookieSecret(ctx context.Context, cfg Config, store *db.Store) ([]byte, error) {
	if cfg.CookieSecret != "" {
		return []byte(cfg.CookieSecret), nil
	}
	s, err := store.EnsureSetting(ctx, "cookie_secret", rand.Text()+rand.Text())
	if err != nil {
		return nil, fmt.Errorf("cookie secret: %w", err)
	}
	return []byte(s), nil
}

// servePprof serves the profiler, and the metrics, on their own listener,
// so that they are never reachable through the public address.
func servePprof(addr string, metrics http.Handler, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", metrics)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info("pprof listening", "addr", addr)
	if err := http.ListenAndServe(addr, mux); err != nil {
		log.Error("pprof", "err", err)
	}
}

// immutable lets browsers keep assets for good: their URLs carry a hash of
// the build (views.Asset), so a new build has new URLs. Only what was
// found: a 404 kept for a year would outlive the build that adds the file.
func immutable(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		res := c.Response()
		res.Before(func() {
			if res.Status < http.StatusBadRequest {
				res.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			}
		})
		return next(c)
	}
}
