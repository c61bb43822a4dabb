package broker

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/hub"
	"github.com/nats-io/nats.go"
)

// Subjects. Room events go on a subject per room, so that a future
// instance could subscribe to its followed rooms only; today every
// instance takes them all and its Follower drops the rooms nobody follows
// there.
const (
	roomSubject      = "charla.room."
	roomWildcard     = roomSubject + "*"
	ephemeralSubject = "charla.ephemeral"
	presenceSubject  = "charla.presence"
)

const (
	// presenceBeat is how often an instance tells the others everyone
	// online on it; presenceExpiry is how long the others believe it
	// (three beats): an instance that stops beating (killed, cut off)
	// has its people go offline elsewhere within presenceExpiry plus a
	// beat.
	presenceBeat   = 2 * time.Second
	presenceExpiry = 3 * presenceBeat
	// presenceChunk bounds the people in one presence message, far below
	// NATS's default limit of 1 MB a message.
	presenceChunk = 2000
)

// Presence is who is online on this instance, and what the others say
// (handlers.Handler).
type Presence interface {
	LocalPresence() []chat.Presence
	RemotePresence(instance string, on bool, who []chat.Presence, until time.Time)
	ExpirePresence(now time.Time)
}

// wirePresence is who came online on an instance (or went, On false); a
// beat is the instance's whole list, in chunks.
type wirePresence struct {
	Instance string          `json:"i"`
	On       bool            `json:"on"`
	Who      []chat.Presence `json:"w"`
}

const (
	// outQueue bounds the events waiting to go to NATS. The writer must
	// never wait on the network; if NATS is so slow that this fills, an
	// event is dropped and the other instances fill the gap from the
	// database when the room's next event shows it.
	outQueue = 4096
	// reconnectWait is how long the client waits between attempts to
	// reach NATS again: short, because until it is back the other
	// instances' events are only caught up at reconnect.
	reconnectWait = 500 * time.Millisecond
	// pendingMsgs and pendingBytes bound what NATS's client keeps for a
	// subscription that the follower has not taken yet; past them it
	// drops (a slow consumer), and the relay makes every room catch up.
	pendingMsgs  = 65536
	pendingBytes = 64 << 20
	// closeFlush bounds how long a stopping instance waits for NATS to
	// take what it has buffered.
	closeFlush = time.Second
)

// Relay carries this instance's committed room events and ephemeral
// events to the other instances over NATS, and theirs to this instance's
// Follower and hub. It is the writer's db.Publisher and the hub's
// hub.Observer.
type Relay struct {
	nc       *nats.Conn
	follower *Follower
	hub      *hub.Hub
	log      *slog.Logger
	out      chan outMsg
	dropped  atomic.Int64
	id       string // this instance's name on NATS
	presence atomic.Pointer[Presence]
	beatNow  chan struct{} // (1): tell the others who is here at once
}

type outMsg struct {
	room      chat.RoomEvent
	ephemeral *hub.Event
	presence  *wirePresence
}

// wireEphemeral is an ephemeral event on NATS (someone typing, a topic
// change): already
// rendered, as it is the same for every page.
type wireEphemeral struct {
	Kind  hub.Kind `json:"k"`
	Room  int64    `json:"r"`
	Frame []byte   `json:"f"`
	Aside []byte   `json:"a,omitempty"`
}

// Dial connects to the NATS server at addr and relays between it and this
// instance: committed room events go through a Follower (reading gaps from
// store) to local, which renders them for hb (handlers.Publisher); the
// relay becomes hb's observer. It returns at once even if NATS cannot be
// reached: the client keeps trying (sends are stored and delivered here
// meanwhile), and every followed room catches up from the database once it
// connects. Hand the relay to the writer as its Publisher, then Run it.
func Dial(addr string, store Store, hb *hub.Hub, local db.Publisher, log *slog.Logger) (*Relay, error) {
	if log == nil {
		log = slog.Default()
	}
	f := NewFollower(store, local, hb.Subscribers, log)
	r := &Relay{follower: f, hub: hb, log: log, out: make(chan outMsg, outQueue), id: "charla-" + rand.Text()[:10], beatNow: make(chan struct{}, 1)}
	nc, err := nats.Connect(addr,
		nats.Name(r.id),
		nats.NoEcho(), // an instance hears its own events from its writer
		nats.MaxReconnects(-1),
		nats.ReconnectWait(reconnectWait),
		nats.RetryOnFailedConnect(true),
		nats.ConnectHandler(func(*nats.Conn) {
			log.Info("broker connected", "url", redact(addr))
			f.CatchUpAll()
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("broker disconnected: delivering this instance's events only until it is back", "err", err)
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) {
			log.Info("broker reconnected: catching up every followed room from the database")
			f.CatchUpAll()
			r.beatSoon()
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			if errors.Is(err, nats.ErrSlowConsumer) {
				log.Warn("broker: events dropped (slow consumer): catching up from the database")
				f.CatchUpAll()
				return
			}
			log.Warn("broker", "err", err)
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", redact(addr), err)
	}
	r.nc = nc
	if err := r.subscribe(); err != nil {
		nc.Close()
		return nil, err
	}
	hb.Observe(r)
	return r, nil
}

func (r *Relay) subscribe() error {
	rooms, err := r.nc.Subscribe(roomWildcard, r.fromRoom)
	if err != nil {
		return fmt.Errorf("subscribe to room events: %w", err)
	}
	eph, err := r.nc.Subscribe(ephemeralSubject, r.fromEphemeral)
	if err != nil {
		return fmt.Errorf("subscribe to ephemeral events: %w", err)
	}
	pres, err := r.nc.Subscribe(presenceSubject, r.fromPresence)
	if err != nil {
		return fmt.Errorf("subscribe to presence: %w", err)
	}
	for _, s := range []*nats.Subscription{rooms, eph, pres} {
		if err := s.SetPendingLimits(pendingMsgs, pendingBytes); err != nil {
			return err
		}
	}
	return nil
}

func (r *Relay) fromRoom(m *nats.Msg) {
	var ev chat.RoomEvent
	if err := json.Unmarshal(m.Data, &ev); err != nil || len(ev.Messages) == 0 {
		r.log.Warn("broker: unreadable room event", "subject", m.Subject, "err", err)
		return
	}
	r.follower.Publish(ev)
}

func (r *Relay) fromEphemeral(m *nats.Msg) {
	var w wireEphemeral
	if err := json.Unmarshal(m.Data, &w); err != nil || !w.Kind.Ephemeral() {
		r.log.Warn("broker: unreadable ephemeral event", "err", err)
		return
	}
	r.hub.Deliver(hub.Event{Kind: w.Kind, Room: w.Room, Frame: w.Frame, Aside: w.Aside})
}

func (r *Relay) fromPresence(m *nats.Msg) {
	var w wirePresence
	if err := json.Unmarshal(m.Data, &w); err != nil {
		r.log.Warn("broker: unreadable presence", "err", err)
		return
	}
	if p := r.presence.Load(); p != nil && w.Instance != r.id {
		(*p).RemotePresence(w.Instance, w.On, w.Who, time.Now().Add(presenceExpiry))
	}
}

// UsePresence makes p (the handlers) what the relay tells the others who
// is online here, and what it tells of who is online there.
func (r *Relay) UsePresence(p Presence) {
	r.presence.Store(&p)
	r.beatSoon()
}

// Presence queues a coming or going on this instance for the others
// (handlers.PresenceRelay). It never waits.
func (r *Relay) Presence(on bool, who []chat.Presence) {
	r.send(outMsg{presence: &wirePresence{Instance: r.id, On: on, Who: who}})
}

func (r *Relay) beatSoon() {
	select {
	case r.beatNow <- struct{}{}:
	default:
	}
}

// beat tells the others everyone online here, and forgets whom the others
// no longer vouch for.
func (r *Relay) beat() {
	p := r.presence.Load()
	if p == nil {
		return
	}
	(*p).ExpirePresence(time.Now())
	who := (*p).LocalPresence()
	for len(who) > 0 {
		n := min(len(who), presenceChunk)
		r.send(outMsg{presence: &wirePresence{Instance: r.id, On: true, Who: who[:n]}})
		who = who[n:]
	}
}

// Publish hands a committed room event to this instance's follower and
// queues it for the others. It never waits.
func (r *Relay) Publish(ev chat.RoomEvent) {
	r.follower.Publish(ev)
	r.send(outMsg{room: ev})
}

// Followed is the follower's (see Follower.Followed).
func (r *Relay) Followed(rooms []int64) { r.follower.Followed(rooms) }

// Ephemeral queues an event of this instance's hub for the others: typing,
// a topic change. Presence goes its own way (Presence, beats), since a
// person online on two instances is still online when one of them says
// they went.
func (r *Relay) Ephemeral(ev hub.Event) {
	if ev.Kind == hub.Typing || ev.Kind == hub.Topic {
		r.send(outMsg{ephemeral: &ev})
	}
}

func (r *Relay) send(m outMsg) {
	select {
	case r.out <- m:
	default:
		if r.dropped.Add(1) == 1 {
			r.log.Warn("broker: too slow, events not relayed (other instances fill the gap from the database)")
		}
	}
}

// Run delivers and relays events until ctx ends (after the writer has
// stopped: what it queued is still sent), then closes the connection.
func (r *Relay) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { r.follower.Run(ctx) })
	r.relay(ctx)
	wg.Wait()
	r.close()
}

// relay publishes the queued events, and who is online here every beat,
// until ctx ends, then what is queued.
func (r *Relay) relay(ctx context.Context) {
	beat := time.NewTicker(presenceBeat)
	defer beat.Stop()
	for {
		select {
		case <-beat.C:
			r.beat()
		case <-r.beatNow:
			r.beat()
		case <-ctx.Done():
			for {
				select {
				case m := <-r.out:
					r.publish(m)
				default:
					return
				}
			}
		case m := <-r.out:
			r.publish(m)
		}
	}
}

func (r *Relay) publish(m outMsg) {
	var subject string
	var data []byte
	var err error
	switch {
	case m.presence != nil:
		subject = presenceSubject
		data, err = json.Marshal(m.presence)
	case m.ephemeral != nil:
		e := m.ephemeral
		subject = ephemeralSubject
		data, err = json.Marshal(wireEphemeral{Kind: e.Kind, Room: e.Room, Frame: e.Frame, Aside: e.Aside})
	default:
		subject = roomSubject + strconv.FormatInt(m.room.Room, 10)
		data, err = json.Marshal(m.room)
	}
	if err == nil {
		err = r.nc.Publish(subject, data)
	}
	if err != nil {
		// Down for longer than the client buffers: the others catch up
		// from the database when it is back.
		if r.dropped.Add(1) == 1 {
			r.log.Warn("broker: events not relayed", "err", err)
		}
		return
	}
	if n := r.dropped.Swap(0); n > 0 {
		r.log.Info("broker: relaying again", "not relayed", n)
	}
}

// ID is this instance's name on NATS (its connection's name).
func (r *Relay) ID() string { return r.id }

// Follower returns the relay's follower (for tests and metrics).
func (r *Relay) Follower() *Follower { return r.follower }

// Connected reports whether the broker is reachable now (for /readyz).
func (r *Relay) Connected() bool { return r.nc.IsConnected() }

// close flushes what is buffered for NATS (briefly) and disconnects.
func (r *Relay) close() {
	_ = r.nc.FlushTimeout(closeFlush)
	r.nc.Close()
}

// redact hides the password of a nats:// URL in the logs.
func redact(addr string) string {
	u, err := url.Parse(addr)
	if err != nil {
		return "nats://…"
	}
	return u.Redacted()
}
