// Package natstest runs a real NATS server in the test's process, on
// loopback, for tests of several charla instances: it can be stopped and
// started again on the same port (NATS going away and coming back), and
// can cut one client's connection.
package natstest

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// readyWithin bounds how long a starting server may take to accept
// connections on a loaded machine.
const readyWithin = 10 * time.Second

// Server is an embedded NATS server.
type Server struct {
	t    testing.TB
	port int
	srv  *server.Server
}

// Start starts a NATS server on 127.0.0.1 and a free port; it stops when
// the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, port: server.RANDOM_PORT}
	s.start()
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start() {
	s.t.Helper()
	opts := &server.Options{Host: "127.0.0.1", Port: s.port, NoLog: true, NoSigs: true}
	srv, err := server.NewServer(opts)
	if err != nil {
		s.t.Fatalf("nats server: %v", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(readyWithin) {
		s.t.Fatalf("nats server not ready after %v", readyWithin)
	}
	s.srv = srv
	s.port = srv.Addr().(*net.TCPAddr).Port
}

// URL is the nats:// URL of the server (the same after Restart, and
// while stopped).
func (s *Server) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", s.port) }

// Stop shuts the server down: every client is disconnected and tries to
// reconnect.
func (s *Server) Stop() {
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
		s.srv = nil
	}
}

// Restart starts the server again on the same port.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

// Clients returns how many clients are connected.
func (s *Server) Clients() int { return s.srv.NumClients() }

// CutClients closes the server's end of every client connection whose
// name is name; the clients see their connection drop and reconnect.
func (s *Server) CutClients(name string) int {
	s.t.Helper()
	conns, err := s.srv.Connz(&server.ConnzOptions{})
	if err != nil {
		s.t.Fatalf("connz: %v", err)
	}
	n := 0
	for _, c := range conns.Conns {
		if c.Name == name {
			if err := s.srv.DisconnectClientByID(c.Cid); err == nil {
				n++
			}
		}
	}
	return n
}
