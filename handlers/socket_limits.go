package handlers

import (
	"context"
	"time"

	"github.com/coder/websocket"
)

const (
	// socketPing is how often a socket pings its peer, and how long the
	// pong may take: a peer gone without a word (a laptop closed, a
	// network dropped with no FIN) is noticed within twice this, instead
	// of holding its socket for good. Browsers answer pings by themselves.
	socketPing = 30 * time.Second
	// maxSocketsPerPerson bounds one person's open sockets (tabs × rooms):
	// past it, the oldest closes. Without it one account could hold
	// sockets, and their memory and file descriptors, without limit.
	maxSocketsPerPerson = 20
	// statusTooManyTabs closes the oldest socket of a person who opened
	// one more than maxSocketsPerPerson. hx-ws does not reconnect on a
	// 4xxx code (it would kick the newest out in turn); charla.js says so
	// on the page.
	statusTooManyTabs websocket.StatusCode = 4001
)

// pingEvery is the ping interval (and pong timeout) in force.
func (h *Handler) pingEvery() time.Duration {
	if h.SocketPing > 0 {
		return h.SocketPing
	}
	return socketPing
}

// watchPeer starts pinging s's peer every pingEvery. It keeps "one
// goroutine per idle socket": the timer is the runtime's, and a ping runs on
// the timer's goroutine only while it waits for its pong (the reader, which
// always reads, takes the pong).
func (h *Handler) watchPeer(s *socket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pinger = time.AfterFunc(h.pingEvery(), func() { h.ping(s) })
}

func (h *Handler) ping(s *socket) {
	every := h.pingEvery()
	ctx, cancel := context.WithTimeout(context.Background(), every)
	err := s.conn.Ping(ctx)
	cancel()
	if err != nil {
		if s.closeCode.Load() != 0 {
			return // closing already: close bounds the handshake
		}
		s.log().Info("websocket peer does not answer pings", "err", err)
		s.conn.CloseNow() // the reader ends, and cleans up
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pinger != nil {
		s.pinger.Reset(every)
	}
}

// stopPinging ends watchPeer's pings once the socket has ended.
func (s *socket) stopPinging() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pinger != nil {
		s.pinger.Stop()
		s.pinger = nil
	}
}

// maxSockets is the per-person cap in force.
func (h *Handler) maxSockets() int {
	if h.MaxSockets > 0 {
		return h.MaxSockets
	}
	return maxSocketsPerPerson
}
