package server

import (
	"cmp"
	"time"
)

// The HTTP server's timeouts. They bound what a client can hold without
// sending anything useful; a WebSocket is not bound by them (net/http
// clears the connection's deadlines when it is hijacked; the socket pings
// its peer instead).
const (
	// readHeaderTimeout bounds the request line and headers.
	readHeaderTimeout = 10 * time.Second
	// readTimeout bounds a whole request, body included: the largest body
	// charla takes is a send form of about 16 KB, which even a slow phone
	// sends well within it.
	readTimeout = 30 * time.Second
	// idleTimeout is how long a keep-alive connection may wait for its
	// next request. Browsers reopen one when they need it.
	idleTimeout = 60 * time.Second
)

// Timeouts are the HTTP server's timeouts; a zero one takes its default.
// Tests set small ones.
type Timeouts struct {
	ReadHeader time.Duration
	Read       time.Duration
	Idle       time.Duration
}

func (t Timeouts) withDefaults() Timeouts {
	return Timeouts{
		ReadHeader: cmp.Or(t.ReadHeader, readHeaderTimeout),
		Read:       cmp.Or(t.Read, readTimeout),
		Idle:       cmp.Or(t.Idle, idleTimeout),
	}
}
