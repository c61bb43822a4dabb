package handlers

import (
	"bufio"
	"net"
	"net/http"
)

// Buffer sizes for a socket's connection. net/http hands a hijacker 4 KB
// for reading and 4 KB for writing, which coder/websocket keeps for the
// socket's life: half of what an idle socket costs. Browsers send small
// frames (and bufio reads larger ones straight into the caller's buffer);
// the write buffer bounds how much of a frame goes out per system call.
const (
	socketReadBuffer  = 1 << 10
	socketWriteBuffer = 2 << 10
)

// leanHijacker gives websocket.Accept a connection with smaller buffers.
type leanHijacker struct {
	http.ResponseWriter
	hijacker http.Hijacker
}

func lean(w http.ResponseWriter) http.ResponseWriter {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return w
	}
	return leanHijacker{ResponseWriter: w, hijacker: hj}
}

func (l leanHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := l.hijacker.Hijack()
	if err != nil || brw.Reader.Buffered() > 0 {
		// Bytes already read past the request stay in net/http's
		// buffer; keep it (coder/websocket replays them).
		return conn, brw, err
	}
	return conn, bufio.NewReadWriter(bufio.NewReaderSize(conn, socketReadBuffer), bufio.NewWriterSize(conn, socketWriteBuffer)), nil
}
