// Package hub fans rendered messages out to the connections subscribed to a
// room, in process.
//
// It is its own package because it is the seam where charla scales out: the
// handlers only publish and subscribe, so relaying through NATS to other
// instances (package broker) happens beside it without the handlers
// noticing: the relay observes the hub (Observer: rooms followed here,
// ephemeral events published here) and delivers the other instances'
// events into it (Deliver).
// It knows nothing of HTML or the database: an Event is opaque bytes,
// rendered once and shared by every subscriber.
//
// A subscription holds no goroutine and no buffer while idle: Publish queues
// the event and calls the subscriber's notify hook, which starts whatever
// writes it out. Ten thousand idle sockets cost ten thousand small structs.
package hub

import (
	"sync"
)

// Kind says what an event tells a room, so that a subscriber knows what to
// do with it without reading its bytes. A new kind of event (an edit,
// someone typing) is a new Kind and a case in the subscriber's switch.
type Kind uint8

const (
	// Appended: messages were added to the room. LastID is the newest
	// one's id and Senders has each one's author.
	Appended Kind = iota + 1
	// Changed: a message was edited, deleted or reacted to.
	Changed
	// Typing, Presence and Topic are ephemeral: never stored as events,
	// never replayed, and they have no position. Someone is typing;
	// someone came online or went; the room's topic changed (the topic
	// itself is stored with the room, and a connecting socket is sent it).
	Typing
	Presence
	Topic
)

// Ephemeral reports whether events of kind k are never stored.
func (k Kind) Ephemeral() bool { return k == Typing || k == Presence || k == Topic }

// Event is one frame for a room: what kind of change it carries, the
// rendered bytes (shared, never modified), the position of the newest
// change in it (which subscribers use to skip what the replay already
// sent), and for new messages the newest id and who sent each one (for
// unread counts, which leave out one's own).
type Event struct {
	Kind    Kind
	Room    int64
	Pos     int64
	LastID  int64
	Senders []int64
	// Frame is for pages of Room; Aside, if any, for pages of the
	// subscriber's other rooms (a mark in the sidebar).
	Frame []byte
	Aside []byte

	// Mentions has, for each message as Senders does, the names it
	// mentions (lower case), for the mention counts of the readers it
	// names; nil when no message mentions anyone.
	Mentions [][]string
}

// Hub holds the subscriptions of every room.
type Hub struct {
	mu    sync.RWMutex
	rooms map[int64]map[*Subscription]struct{}
	obs   Observer
	stats counters // for metrics: see stats.go
}

// Observer is what relays events to other instances (broker.Relay, with
// NATS_URL set) needs to hear from the hub. Without one, the hub is
// in-process only.
type Observer interface {
	// Followed: rooms got their first subscription here. Called before
	// Subscribe returns (so before the subscriber reads the rooms'
	// history), without the hub's lock; it may read the database.
	Followed(rooms []int64)
	// Ephemeral: an ephemeral event (typing, presence) was published on
	// this instance. Called on the publisher's goroutine: must not block.
	Ephemeral(ev Event)
}

// Observe sets the hub's observer; call it before the hub is used.
func (h *Hub) Observe(o Observer) { h.obs = o }

// New returns an empty hub.
func New() *Hub {
	return &Hub{rooms: make(map[int64]map[*Subscription]struct{})}
}

// Hooks are how a subscription tells its owner about events. Both are
// called on the publisher's goroutine and must not block.
type Hooks struct {
	// Notify: an event was queued and the queue had been empty.
	Notify func()
	// Lag: the queue was full, so events are being lost from now on; the
	// owner should drop the connection, whose client then reconnects and
	// recovers from the database. Called once.
	Lag func()
}

// Subscription queues the events of some rooms until its owner takes them.
type Subscription struct {
	hub   *Hub
	rooms []int64
	limit int
	hooks Hooks

	mu     sync.Mutex
	queue  []*Event // shared by every subscriber: never modified
	lagged bool
	closed bool
}

// Subscribe starts queueing the events of rooms (one page follows its own
// room closely and the others for their unread counts). At most limit
// events wait; a subscriber that lets more pile up is dropped rather than
// slowing the publisher and so everyone.
func (h *Hub) Subscribe(rooms []int64, limit int, hooks Hooks) *Subscription {
	s := &Subscription{hub: h, rooms: rooms, limit: limit, hooks: hooks}
	var first []int64
	h.mu.Lock()
	for _, room := range rooms {
		subs := h.rooms[room]
		if subs == nil {
			subs = make(map[*Subscription]struct{})
			h.rooms[room] = subs
			first = append(first, room)
		}
		subs[s] = struct{}{}
	}
	h.mu.Unlock()
	if h.obs != nil && len(first) > 0 {
		h.obs.Followed(first)
	}
	return s
}

// Publish queues ev for every subscriber of ev.Room without waiting for
// any, and hands an ephemeral event to the observer, if any, for the other
// instances.
func (h *Hub) Publish(ev Event) {
	h.Deliver(ev)
	if h.obs != nil && ev.Kind.Ephemeral() {
		h.obs.Ephemeral(ev)
	}
}

// Deliver queues ev for every subscriber of ev.Room here, and nowhere
// else: for events that came from another instance.
func (h *Hub) Deliver(ev Event) {
	shared := &ev // one copy, queued by pointer: a subscriber costs 8 bytes
	h.mu.RLock()
	defer h.mu.RUnlock()
	subs := h.rooms[ev.Room]
	h.stats.published.Add(1)
	h.stats.fanout.Add(uint64(len(subs)))
	for s := range subs {
		s.push(shared)
	}
}

func (s *Subscription) push(ev *Event) {
	s.mu.Lock()
	if s.lagged || s.closed {
		s.mu.Unlock()
		return
	}
	if len(s.queue) >= s.limit {
		s.lagged = true
		s.mu.Unlock()
		s.hub.stats.lagged.Add(1)
		if s.hooks.Lag != nil {
			s.hooks.Lag()
		}
		return
	}
	wasEmpty := len(s.queue) == 0
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	if wasEmpty && s.hooks.Notify != nil {
		s.hooks.Notify()
	}
}

// Take returns the queued events, oldest first, and empties the queue.
// Every subscriber of a room gets the same events: read them, never
// modify them.
// Hand the slice back with Release once done with it.
func (s *Subscription) Take() []*Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queue
	s.queue = nil
	return q
}

// maxSpare bounds the queue a subscription keeps for reuse: enough that a
// busy room allocates nothing per event, little enough to keep idle
// subscriptions small.
const maxSpare = 8

// Release hands back a slice that Take returned, to queue into next.
func (s *Subscription) Release(q []*Event) {
	if cap(q) == 0 || cap(q) > maxSpare {
		return
	}
	clear(q[:cap(q)]) // drop the events: their frames may be large
	s.mu.Lock()
	if s.queue == nil && !s.closed {
		s.queue = q[:0]
	}
	s.mu.Unlock()
}

// Subscribers returns how many subscriptions room has.
func (h *Hub) Subscribers(room int64) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.rooms[room])
}

// Close stops delivery. It is safe to call more than once.
func (s *Subscription) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed, s.queue = true, nil
	s.mu.Unlock()
	s.hub.mu.Lock()
	for _, room := range s.rooms {
		delete(s.hub.rooms[room], s)
		if len(s.hub.rooms[room]) == 0 {
			delete(s.hub.rooms, room)
		}
	}
	s.hub.mu.Unlock()
}
