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

// Event is one frame for a room: the rendered bytes (shared, never
// modified), how many messages they carry, and the highest message id among
// them, which subscribers use to skip frames they already sent during
// recovery.
type Event struct {
	Room   int64
	LastID int64
	Count  int
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
	rooms    []int64
	events   chan Event
	lagged   chan struct{}
	onLag    func()
	lagOnce  sync.Once
	stopOnce sync.Once
}

// Subscribe starts delivering the events of rooms to a new subscription
// (one page follows its own room closely and the others for their unread
// counts), which buffers up to buffer events. A subscriber that lets the buffer fill is
// dropped (see Lagged) rather than slowing the publisher and so everyone;
// onLag, if not nil, is then called once, on the publisher's goroutine, and
// must not block.
func (h *Hub) Subscribe(rooms []int64, buffer int, onLag func()) *Subscription {
	s := &Subscription{hub: h, rooms: rooms, events: make(chan Event, buffer), lagged: make(chan struct{}), onLag: onLag}
	h.mu.Lock()
	for _, room := range rooms {
		subs := h.rooms[room]
		if subs == nil {
			subs = make(map[*Subscription]struct{})
			h.rooms[room] = subs
		}
		subs[s] = struct{}{}
	}
	h.mu.Unlock()
	return s
}

// Publish hands ev to every subscriber of ev.Room without waiting for any.
func (h *Hub) Publish(ev Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.rooms[ev.Room] {
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
		for _, room := range s.rooms {
			delete(s.hub.rooms[room], s)
			if len(s.hub.rooms[room]) == 0 {
				delete(s.hub.rooms, room)
			}
		}
		s.hub.mu.Unlock()
	})
}
