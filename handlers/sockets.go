package handlers

import (
	"context"
	"slices"
	"sync"

	"github.com/coder/websocket"
)

// socketSet tracks open sockets so that shutdown, sign-out and leaving a
// room can close them.
type socketSet struct {
	mu     sync.Mutex
	conns  map[*socket]struct{}
	byUser map[int64][]*socket // each person's sockets, oldest first
	closed bool
	wg     sync.WaitGroup
}

// add registers s. When its person then holds more than max sockets, the
// oldest is closed with statusTooManyTabs (and no longer counted).
func (set *socketSet) add(s *socket, max int) bool {
	set.mu.Lock()
	defer set.mu.Unlock()
	if set.closed {
		return false
	}
	set.conns[s] = struct{}{}
	set.wg.Add(1)
	mine := append(set.byUser[s.user.ID], s)
	if len(mine) > max {
		oldest := mine[0]
		mine = slices.Delete(mine, 0, 1)
		oldest.log().Info("websocket closed: one more than the person's limit opened", "limit", max)
		oldest.close(statusTooManyTabs, "opened in too many tabs")
	}
	set.byUser[s.user.ID] = mine
	return true
}

func (set *socketSet) remove(s *socket) {
	set.mu.Lock()
	delete(set.conns, s)
	mine := slices.DeleteFunc(set.byUser[s.user.ID], func(o *socket) bool { return o == s })
	if len(mine) == 0 {
		delete(set.byUser, s.user.ID)
	} else {
		set.byUser[s.user.ID] = mine
	}
	set.mu.Unlock()
	set.wg.Done()
}

// Sockets returns how many sockets are open.
func (h *Handler) Sockets() int {
	h.sockets.mu.Lock()
	defer h.sockets.mu.Unlock()
	return len(h.sockets.conns)
}

// closeSockets ends the sockets that match with 1012 (service restart):
// their pages reconnect, and are checked afresh.
func (h *Handler) closeSockets(match func(*socket) bool, cause error) {
	h.sockets.mu.Lock()
	defer h.sockets.mu.Unlock()
	for s := range h.sockets.conns {
		if match(s) {
			s.close(websocket.StatusServiceRestart, cause.Error())
		}
	}
}

// refreshSockets closes the sockets of these people after a change of their
// rooms; their pages reconnect and subscribe to the rooms they now have.
func (h *Handler) refreshSockets(userIDs ...int64) {
	h.closeSockets(func(s *socket) bool { return slices.Contains(userIDs, s.user.ID) }, errRooms)
}

// CloseSockets ends every socket with 1012 (service restart), which hx-ws
// answers by reconnecting, and waits for them to finish. Call it after the
// HTTP server has stopped accepting: Shutdown does not touch hijacked
// connections.
func (h *Handler) CloseSockets(ctx context.Context) {
	h.sockets.mu.Lock()
	h.sockets.closed = true
	h.sockets.mu.Unlock()
	h.closeSockets(func(*socket) bool { return true }, errRestart)
	done := make(chan struct{})
	go func() { h.sockets.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
