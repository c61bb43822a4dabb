// Command charla-limit is the baseline that charla's socket is measured
// against: about the least a WebSocket chat server can do. It sends every
// text frame it receives to every connection of the same room (?room=, one
// room by default), with no database and no HTML. Like charla it has one
// writer goroutine per connection, shares the received bytes among all
// connections instead of copying them, and drops a connection whose bounded
// queue overflows. charla-load drives it with -raw.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"sync"

	"github.com/coder/websocket"
)

const (
	// queue is how many frames a connection may fall behind before it is
	// dropped: the same as charla's, so both shed slow clients alike.
	queue = 64
	// maxFrame is the largest frame taken, as in charla.
	maxFrame = 64 << 10
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "where to listen")
	flag.Parse()
	log.Printf("charla-limit listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, &rooms{members: map[string]map[*peer]struct{}{}}))
}

// rooms holds the connections of every room.
type rooms struct {
	mu      sync.RWMutex
	members map[string]map[*peer]struct{}
}

// peer is one connection's queue; cancel ends the connection.
type peer struct {
	out    chan []byte
	cancel context.CancelFunc
}

func (rs *rooms) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered
	}
	conn.SetReadLimit(maxFrame)
	// Reads and writes use ctx, so cancel (from a publisher, on overflow)
	// also unblocks a write stuck on a full TCP window.
	ctx, cancel := context.WithCancel(context.Background())
	p := &peer{out: make(chan []byte, queue), cancel: cancel}
	room := r.URL.Query().Get("room")
	rs.join(room, p)
	defer rs.leave(room, p)

	var writer sync.WaitGroup
	writer.Go(func() {
		defer cancel()
		for {
			select {
			case frame := <-p.out:
				if conn.Write(ctx, websocket.MessageText, frame) != nil {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	})
	for {
		typ, frame, err := conn.Read(ctx)
		if err != nil {
			break
		}
		if typ == websocket.MessageText {
			rs.broadcast(room, frame)
		}
	}
	cancel()
	writer.Wait()
	conn.CloseNow()
}

// broadcast hands frame, shared, to every peer of room without waiting.
func (rs *rooms) broadcast(room string, frame []byte) {
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	for p := range rs.members[room] {
		select {
		case p.out <- frame:
		default:
			p.cancel() // too slow: dropped, as charla drops it
		}
	}
}

func (rs *rooms) join(room string, p *peer) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.members[room] == nil {
		rs.members[room] = map[*peer]struct{}{}
	}
	rs.members[room][p] = struct{}{}
}

func (rs *rooms) leave(room string, p *peer) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	delete(rs.members[room], p)
	if len(rs.members[room]) == 0 {
		delete(rs.members, room)
	}
}
