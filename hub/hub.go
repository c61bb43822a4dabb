// Package hub fans rendered messages out to the connections subscribed to a
// room, in process.
//
// It is its own package because it is the seam where charla scales out: the
// handlers only publish and subscribe, so a hub that relays through NATS to
// other instances can take this one's place without the handlers noticing.
// It knows nothing of HTML or the database: an Event is opaque bytes,
// rendered once and shared by every subscriber.
package hub

import (
	"sync"
)

// Event is one frame for a room: the rendered bytes (shared, never modified)
// and the highest message id they carry, which subscribers use to skip
// frames they already sent during recovery.
type Event struct {
	LastID int64
	Frame  []byte
}

// Hub holds the subscriptions of every room.
type Hub struct {
	mu    sync.RWMutex
	rooms map[int64]map[*Subscription]struct{}
}

// New returns an empty hub.
func New() *Hub {
	return &Hub{rooms: make(map[int64]map[*Subscription]struct{})}
}

// Subscription receives a room's events until it is closed or falls behind.
type Subscription struct {
	hub      *Hub
	room     int64
	events   chan Event
	lagged   chan struct{}
	onLag    func()
	lagOnce  sync.Once
	stopOnce sync.Once
}

// Subscribe starts delivering room's events to a new subscription, which
// buffers up to buffer events. A subscriber that lets the buffer fill is
// dropped (see Lagged) rather than slowing the publisher and so everyone;
// onLag, if not nil, is then called once, on the publisher's goroutine, and
// must not block.
func (h *Hub) Subscribe(room int64, buffer int, onLag func()) *Subscription {
	s := &Subscription{hub: h, room: room, events: make(chan Event, buffer), lagged: make(chan struct{}), onLag: onLag}
	h.mu.Lock()
	subs := h.rooms[room]
	if subs == nil {
		subs = make(map[*Subscription]struct{})
		h.rooms[room] = subs
	}
	subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Publish hands ev to every subscriber of room without waiting for any.
func (h *Hub) Publish(room int64, ev Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.rooms[room] {
		select {
		case s.events <- ev:
		default:
			s.lagOnce.Do(s.lag)
		}
	}
}

func (s *Subscription) lag() {
	close(s.lagged)
	if s.onLag != nil {
		s.onLag()
	}
}

// Subscribers returns how many subscriptions room has.
func (h *Hub) Subscribers(room int64) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.rooms[room])
}

// Events delivers the room's events in publish order.
func (s *Subscription) Events() <-chan Event { return s.events }

// Lagged is closed when an event could not be buffered: from then on the
// subscription has a gap, and its owner should drop the connection so that
// the client reconnects and recovers from the database.
func (s *Subscription) Lagged() <-chan struct{} { return s.lagged }

// Close stops delivery. It is safe to call more than once.
func (s *Subscription) Close() {
	s.stopOnce.Do(func() {
		s.hub.mu.Lock()
		delete(s.hub.rooms[s.room], s)
		if len(s.hub.rooms[s.room]) == 0 {
			delete(s.hub.rooms, s.room)
		}
		s.hub.mu.Unlock()
	})
}
