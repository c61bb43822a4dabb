package handlers_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/handlers"
)

// The HTTP server's read timeout bounds a request, not a socket: net/http
// sets it as the connection's deadline, which a hijacked connection keeps
// unless the upgrade clears it.
func TestSocketOutlivesTheServersReadTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	srv := newServerWith(t, dbtest.File(t), handlers.Config{}, func(s *httptest.Server) {
		s.Config.ReadTimeout, s.Config.WriteTimeout, s.Config.IdleTimeout = timeout, timeout, timeout
	})
	p := srv.visit(t)
	s := p.dial(-1)
	time.Sleep(4 * timeout)
	s.send("still connected")
	if got := s.collect(1, 5*time.Second); got[0].Body != "still connected" {
		t.Fatalf("got %v", got)
	}
}
