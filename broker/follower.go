// Package broker lets several charla instances share rooms over NATS.
//
// It is its own package, beside hub/, because it joins two things the hub
// must not know: the database (positions, and the history that fills a gap)
// and the network (NATS). The hub stays an in-process fan-out of rendered
// frames; a Follower decides what reaches it and in which order; a Relay
// carries committed room events and ephemeral ones between instances.
//
// One instance needs none of it: the writer hands its events to the hub
// directly, in order. With NATS_URL set, every instance runs a Follower and
// a Relay:
//
//	writer ─► Relay ─┬─► NATS ─► other instances' Relays ─► their Followers
//	                 └─► Follower ─► handlers.Publisher (render once) ─► hub
//
// Positions come from the database (1, 2, 3… per room), so a Follower can
// tell a duplicate (an event seen locally and again from NATS), the next
// event and a gap (something lost in between) from the numbers alone, and
// fills a gap from the database before it delivers what follows.
package broker

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
)

const (
	// followerQueue bounds the events waiting for the follower's
	// goroutine. Past it an event is not queued: its room is marked to
	// catch up from the database instead, so that a burst costs one read
	// per room rather than unbounded memory.
	followerQueue = 4096
	// catchUpPage is how many messages one read of a gap asks for.
	catchUpPage = 200
	// readTimeout bounds one database read of the follower (a room's
	// cursor, a page of a gap): a hung database must not hold the
	// follower's goroutine, or a socket's connect, for long.
	readTimeout = 5 * time.Second
	// catchUpRetry is how soon a room whose catch-up failed (the database
	// did not answer) is tried again.
	catchUpRetry = time.Second
	// forgetEvery is how often the follower forgets the rooms nobody on
	// this instance follows any longer, so that its map holds only the
	// rooms with sockets here (and those left in the last forgetEvery).
	forgetEvery = time.Minute
)

// Store is what the follower reads (db.Store).
type Store interface {
	ChangedAfter(ctx context.Context, room, pos int64, limit int) ([]chat.Message, error)
	RoomHeads(ctx context.Context, rooms []int64) (map[int64]db.RoomHead, error)
}

// Followed tells whether anyone on this instance follows a room
// (hub.Hub.Subscribers).
type Followed func(room int64) int

// Follower delivers each followed room's events to this instance's hub in
// position order, once each, with no gap. It takes events from the local
// writer and from NATS alike (Publish), and never blocks the caller: one
// goroutine (Run) does the ordering and the database reads.
//
// Per room it keeps the last position delivered and the newest message id
// delivered. An event at or below the last position was delivered already
// (dropped); the next one is delivered; a later one means something was
// lost: the room is read from the database from the last position on, and
// what is there is delivered first (new messages as posts, the rest as
// changes, as views.ReplayFrame decides for a page), then the event if it
// is still news.
type Follower struct {
	store   Store
	deliver db.Publisher // renders and hands to the hub
	follows Followed
	log     *slog.Logger

	queue chan chat.RoomEvent
	wake  chan struct{} // (1): some room is marked to catch up

	mu    sync.Mutex
	rooms map[int64]*roomState
}

type roomState struct {
	// last and newest are the follower goroutine's only, after the state
	// is made (under mu).
	last   int64 // position delivered last; -1: not known yet
	newest int64 // newest message id delivered
	stale  atomic.Bool
}

// NewFollower returns a follower that reads gaps from store, hands what is
// in order to deliver, and keeps state only for rooms that follows says
// someone on this instance follows.
func NewFollower(store Store, deliver db.Publisher, follows Followed, log *slog.Logger) *Follower {
	if log == nil {
		log = slog.Default()
	}
	return &Follower{
		store:   store,
		deliver: deliver,
		follows: follows,
		log:     log,
		queue:   make(chan chat.RoomEvent, followerQueue),
		wake:    make(chan struct{}, 1),
		rooms:   make(map[int64]*roomState),
	}
}

// Publish queues ev without waiting (it is called on the writer's
// goroutine and on NATS's). If the queue is full the event is dropped and
// its room catches up from the database instead.
func (f *Follower) Publish(ev chat.RoomEvent) {
	if len(ev.Messages) == 0 {
		return
	}
	select {
	case f.queue <- ev:
	default:
		f.markStale(ev.Room)
	}
}

// Followed is told (by the hub, see hub.Observer) that rooms got their
// first subscriber here. It reads where they are now before the subscriber
// reads their history, so that everything after is delivered: what is at
// or below it is in that history.
func (f *Follower) Followed(rooms []int64) {
	f.mu.Lock()
	rooms = slices.DeleteFunc(slices.Clone(rooms), func(r int64) bool { return f.rooms[r] != nil })
	f.mu.Unlock()
	if len(rooms) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	heads, err := f.store.RoomHeads(ctx, rooms)
	cancel()
	if err != nil {
		// The subscriber's own read of the history fails the same way
		// and it reconnects; until then, a room's first event is its
		// start.
		f.log.Warn("follower: read where the rooms are", "rooms", len(rooms), "err", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, room := range rooms {
		if f.rooms[room] != nil {
			continue // followed meanwhile: that state is as good
		}
		st := &roomState{last: -1}
		if h, ok := heads[room]; ok {
			st.last, st.newest = h.Pos, h.Newest
		}
		f.rooms[room] = st
	}
}

// CatchUpAll marks every followed room to catch up from the database: after
// a broker reconnect or dropped messages, anything may have been lost.
func (f *Follower) CatchUpAll() {
	f.mu.Lock()
	for _, st := range f.rooms {
		st.stale.Store(true)
	}
	f.mu.Unlock()
	f.poke()
}

func (f *Follower) markStale(room int64) {
	f.mu.Lock()
	if st := f.rooms[room]; st != nil {
		st.stale.Store(true)
	}
	f.mu.Unlock()
	f.poke()
}

func (f *Follower) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run orders and delivers events until ctx ends.
func (f *Follower) Run(ctx context.Context) {
	forget := time.NewTicker(forgetEvery)
	defer forget.Stop()
	var retry <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-f.queue:
			f.handle(ctx, ev)
		case <-f.wake:
			if !f.catchUpStale(ctx) && retry == nil {
				retry = time.After(catchUpRetry)
			}
		case <-retry:
			retry = nil
			f.poke()
		case <-forget.C:
			f.forget()
		}
	}
}

// state returns room's state, nil if nobody here follows it.
func (f *Follower) state(room int64) *roomState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rooms[room]
}

// handle delivers ev if it is news, after whatever it shows was missed.
func (f *Follower) handle(ctx context.Context, ev chat.RoomEvent) {
	st := f.state(ev.Room)
	if st == nil {
		return // nobody here follows the room
	}
	if st.stale.Load() && !f.catchUp(ctx, ev.Room, st) {
		f.poke() // the database did not answer: the retry reads this event too
		return
	}
	if st.last < 0 {
		st.last = ev.Messages[0].Pos - 1 // the first event is the start
	}
	if first := ev.Messages[0].Pos; first > st.last+1 {
		// A gap: fill it, then deliver what of ev is still news.
		st.stale.Store(true)
		if !f.catchUp(ctx, ev.Room, st) {
			f.poke()
			return
		}
	}
	f.deliverNews(st, ev)
}

// deliverNews delivers the messages of ev above st.last.
func (f *Follower) deliverNews(st *roomState, ev chat.RoomEvent) {
	if ev.Pos() <= st.last {
		return // delivered already (seen locally and from NATS, or read)
	}
	msgs := ev.Messages
	for len(msgs) > 0 && msgs[0].Pos <= st.last {
		msgs = msgs[1:]
	}
	ev.Messages = msgs
	f.send(st, ev)
}

func (f *Follower) send(st *roomState, ev chat.RoomEvent) {
	f.deliver.Publish(ev)
	st.last = ev.Pos()
	for _, m := range ev.Messages {
		st.newest = max(st.newest, m.ID)
	}
}

// catchUpStale catches up every room marked to; false if some read failed.
func (f *Follower) catchUpStale(ctx context.Context) bool {
	f.mu.Lock()
	var stale []int64
	for room, st := range f.rooms {
		if st.stale.Load() {
			stale = append(stale, room)
		}
	}
	f.mu.Unlock()
	ok := true
	for _, room := range stale {
		if st := f.state(room); st != nil && !f.catchUp(ctx, room, st) {
			ok = false
		}
	}
	return ok
}

// catchUp delivers what the database has of room after st.last, in
// position order, as a page that reconnects gets it; false if a read
// failed (the room stays marked).
func (f *Follower) catchUp(ctx context.Context, room int64, st *roomState) bool {
	if st.last < 0 {
		st.stale.Store(false) // nothing delivered yet: nothing to fill
		return true
	}
	st.stale.Store(false) // a mark made from now on means a new loss
	for {
		readCtx, cancel := context.WithTimeout(ctx, readTimeout)
		msgs, err := f.store.ChangedAfter(readCtx, room, st.last, catchUpPage)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				f.log.Warn("follower: catch up from the database", "room", room, "after", st.last, "err", err)
			}
			st.stale.Store(true)
			return false
		}
		f.deliverRead(room, st, msgs)
		if len(msgs) < catchUpPage {
			return true
		}
	}
}

// deliverRead delivers messages read from the database: those newer than
// the newest delivered are new (a post), the others changed. One event
// each: a socket skips whole events at or below the position its own
// replay reached, so an event must not mix a message the replay may have
// sent with a later one (a writer's batch can: it is committed at once,
// so a replay has all of it or none).
func (f *Follower) deliverRead(room int64, st *roomState, msgs []chat.Message) {
	for i := range msgs {
		change := chat.Edit
		if msgs[i].ID > st.newest {
			change = chat.Post
		}
		f.send(st, chat.RoomEvent{Change: change, Room: room, Messages: msgs[i : i+1]})
	}
}

// forget drops the state of rooms nobody here follows any more. Under mu,
// so that a room followed again meanwhile either keeps its state or makes
// a new one (Followed runs after the hub counts the subscriber).
func (f *Follower) forget() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for room := range f.rooms {
		if f.follows(room) == 0 {
			delete(f.rooms, room)
		}
	}
}

// Following returns how many rooms the follower keeps state for.
func (f *Follower) Following() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.rooms)
}
