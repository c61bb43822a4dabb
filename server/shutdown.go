package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// ShutdownGrace bounds each step of a graceful stop: the requests in
// flight finishing, the sockets' close handshakes.
const ShutdownGrace = 5 * time.Second

// silentConns tracks the connections that have sent no request yet, such
// as the ones browsers open ahead of need (Chromium preconnects).
// http.Server.Shutdown waits up to 5 s for each of them before it counts
// it as idle; they have nothing to lose, so a stop closes them at once,
// and any accepted while it stops.
type silentConns struct {
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	stopping bool
}

// track is the server's ConnState hook.
func (s *silentConns) track(c net.Conn, state http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case state != http.StateNew:
		delete(s.conns, c)
	case s.stopping:
		c.Close()
	default:
		if s.conns == nil {
			s.conns = make(map[net.Conn]struct{})
		}
		s.conns[c] = struct{}{}
	}
}

// stop closes the silent connections, and from now on each new one.
func (s *silentConns) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopping = true
	for c := range s.conns {
		c.Close()
	}
	clear(s.conns)
}

// stopServing ends srv gracefully: it stops accepting and closes the
// silent connections, while the sockets are closed with 1012 (Shutdown does
// not touch hijacked connections) and the requests in flight get
// ShutdownGrace to finish; those still running then are cut. serveErr is
// what srv.Serve returns. A stop that had to cut requests is logged, not
// an error: the process ends as asked.
func stopServing(srv *http.Server, silent *silentConns, closeSockets func(context.Context), serveErr <-chan error, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	silent.stop()
	var sockets sync.WaitGroup
	sockets.Go(func() { closeSockets(ctx) })
	err := srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		log.Warn("requests still running after the shutdown grace were cut", "grace", ShutdownGrace)
		srv.Close() // its error would only say that the listener is closed already
		err = nil
	}
	sockets.Wait()
	if serr := <-serveErr; !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}
