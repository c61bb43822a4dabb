package handlers

import (
	"time"

	"github.com/charla/charla/chat"
)

// PresenceRelay tells the other instances who comes online here and who
// goes (broker.Relay, with NATS_URL). It must not block.
type PresenceRelay interface {
	Presence(on bool, who []chat.Presence)
}

// remoteOnline is a person online in a room on other instances: until
// when each of those instances vouches for them (its last beat, plus the
// broker's expiry), so that a dead instance's people drop out by
// themselves.
type remoteOnline struct {
	user   chat.User
	direct bool
	until  map[string]time.Time // instance → expiry
}

// onlineAnywhere reports whether person is online in room here or on
// another instance. Under p.mu.
func (p *presence) onlineAnywhere(room, person int64) bool {
	return p.rooms[room][person] != nil || p.remote[room][person] != nil
}

// relayPresence tells the other instances, if any, that u came online (or
// went) in rooms. Under p.mu: the relay queues without waiting, and the
// other instances hear comings and goings in the order they happened.
func (h *Handler) relayPresence(on bool, u chat.User, rooms []presenceRoom) {
	if h.Relay == nil || len(rooms) == 0 {
		return
	}
	who := make([]chat.Presence, len(rooms))
	for i, r := range rooms {
		who[i] = chat.Presence{Room: r.id, Direct: r.direct, User: u.ID, Name: u.Username}
	}
	h.Relay.Presence(on, who)
}

// LocalPresence returns everyone online on this instance, in each of their
// rooms: what it tells the other instances every beat.
func (h *Handler) LocalPresence() []chat.Presence {
	p := &h.presence
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []chat.Presence
	for room, people := range p.rooms {
		for _, o := range people {
			out = append(out, chat.Presence{Room: room, Direct: o.direct, User: o.user.ID, Name: o.user.Username})
		}
	}
	return out
}

// RemotePresence takes what instance says: who is online there (on, until
// the given time unless it says so again) or went (not on). Rooms whose
// union of people changes hear of it.
func (h *Handler) RemotePresence(instance string, on bool, who []chat.Presence, until time.Time) {
	p := &h.presence
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range who {
		r := presenceRoom{id: w.Room, direct: w.Direct}
		u := chat.User{ID: w.User, Username: w.Name}
		was := p.onlineAnywhere(w.Room, w.User)
		people := p.remote[w.Room]
		if on {
			if people == nil {
				people = make(map[int64]*remoteOnline)
				p.remote[w.Room] = people
			}
			o := people[w.User]
			if o == nil {
				o = &remoteOnline{user: u, direct: w.Direct, until: make(map[string]time.Time, 1)}
				people[w.User] = o
			}
			o.until[instance] = until
		} else if o := people[w.User]; o != nil {
			delete(o.until, instance)
			p.dropRemote(w.Room, w.User, o)
		}
		if now := p.onlineAnywhere(w.Room, w.User); now != was {
			h.announcePresence(r, u, now)
		}
	}
}

// ExpirePresence drops the people whose instances have not vouched for
// them in time (stopped, killed, cut off): they go offline.
func (h *Handler) ExpirePresence(now time.Time) {
	p := &h.presence
	p.mu.Lock()
	defer p.mu.Unlock()
	for room, people := range p.remote {
		for person, o := range people {
			for instance, until := range o.until {
				if now.After(until) {
					delete(o.until, instance)
				}
			}
			if p.dropRemote(room, person, o) && !p.onlineAnywhere(room, person) {
				h.announcePresence(presenceRoom{id: room, direct: o.direct}, o.user, false)
			}
		}
	}
}

// dropRemote forgets o if no instance vouches for it any more; it reports
// whether it did. Under p.mu.
func (p *presence) dropRemote(room, person int64, o *remoteOnline) bool {
	if len(o.until) > 0 {
		return false
	}
	delete(p.remote[room], person)
	if len(p.remote[room]) == 0 {
		delete(p.remote, room)
	}
	return true
}
