package handlers

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/hub"
	"github.com/charla/charla/i18n"
	"github.com/charla/charla/views"
)

// presenceGrace is how long a person stays online after their last page
// closed: a reload, a page moving to another room or a dropped connection
// that comes back at once should not flash "offline" to everyone.
const presenceGrace = 3 * time.Second

// presence knows who is online in which room: a person is online in each
// of their rooms while any socket of theirs is open (any tab, any room:
// every socket subscribes to all of the person's rooms). It tells the
// rooms through the hub when someone comes or goes; nothing of it is
// stored.
//
// With several instances, a person is online where any instance says so:
// remote holds what the others said (see presence_remote.go), and a room
// hears of a coming or going when the union changes.
type presence struct {
	mu     sync.Mutex
	rooms  map[int64]map[int64]*online       // room → person → sockets
	remote map[int64]map[int64]*remoteOnline // room → person → instances
	lists  map[int64]*onlineList             // room → its rendered list, until it changes
}

// onlineList is a room's online list as a connecting socket gets it,
// rendered once for every socket of the room that connects until someone
// comes or goes (render once: a room of many tabs rendered it for each,
// which was most of the memory of setting up a connection). By language,
// for the list's label.
type onlineList struct {
	frames map[i18n.Lang][]byte
}

type online struct {
	user    chat.User
	direct  bool // the room is a direct conversation
	sockets int
	leaving *time.Timer // set while the grace of the last socket runs
}

// presenceRoom is a room of a socket's person, as presence needs it.
type presenceRoom struct {
	id     int64
	direct bool
}

func presenceRooms(rooms []chat.RoomSummary) []presenceRoom {
	out := make([]presenceRoom, len(rooms))
	for i, r := range rooms {
		out[i] = presenceRoom{id: r.ID, direct: r.Kind == chat.Direct}
	}
	return out
}

// join counts one more socket of u in rooms, and tells the rooms where u
// was not online that u now is.
func (h *Handler) joinPresence(u chat.User, rooms []presenceRoom) {
	p := &h.presence
	p.mu.Lock()
	defer p.mu.Unlock()
	var came []presenceRoom
	defer func() { h.relayPresence(true, u, came) }()
	for _, r := range rooms {
		people := p.rooms[r.id]
		if people == nil {
			people = make(map[int64]*online)
			p.rooms[r.id] = people
		}
		o := people[u.ID]
		if o == nil {
			if !p.onlineAnywhere(r.id, u.ID) {
				h.announcePresence(r, u, true)
			}
			o = &online{user: u, direct: r.direct}
			people[u.ID] = o
			came = append(came, r)
		}
		o.sockets++
		if o.leaving != nil {
			o.leaving.Stop()
			o.leaving = nil
		}
	}
}

// leavePresence counts one socket of u less in rooms; where it was the
// last, u goes offline there after presenceGrace unless a socket of theirs
// opens meanwhile.
func (h *Handler) leavePresence(u chat.User, rooms []presenceRoom) {
	p := &h.presence
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range rooms {
		o := p.rooms[r.id][u.ID]
		if o == nil {
			continue
		}
		if o.sockets--; o.sockets > 0 {
			continue
		}
		o.leaving = time.AfterFunc(presenceGrace, func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			if o.sockets > 0 || p.rooms[r.id][u.ID] != o {
				return // came back
			}
			delete(p.rooms[r.id], u.ID)
			if len(p.rooms[r.id]) == 0 {
				delete(p.rooms, r.id)
			}
			h.relayPresence(false, u, []presenceRoom{r})
			if !p.onlineAnywhere(r.id, u.ID) {
				h.announcePresence(r, u, false)
			}
		})
	}
}

// announcePresence tells room r that u came online (or went), and drops
// its rendered list. Under p.mu: the list and what it shows change
// together.
func (h *Handler) announcePresence(r presenceRoom, u chat.User, on bool) {
	delete(h.presence.lists, r.id)
	h.Hub.Publish(presenceEvent(r, u, on))
}

// onlineListFrame is room's online list for a page in lang, rendered once
// until the room's people change.
func (h *Handler) onlineListFrame(room int64, lang i18n.Lang) []byte {
	p := &h.presence
	p.mu.Lock()
	list := p.lists[room]
	if list == nil {
		list = &onlineList{frames: make(map[i18n.Lang][]byte, 1)}
		p.lists[room] = list
	}
	frame := list.frames[lang]
	p.mu.Unlock()
	if frame != nil {
		return frame
	}
	frame = renderIn(i18n.WithLang(context.Background(), lang), views.OnlineList(h.onlineIn(room)))
	p.mu.Lock()
	if p.lists[room] == list { // nobody came or went meanwhile
		list.frames[lang] = frame
	}
	p.mu.Unlock()
	return frame
}

// onlineIn returns who is online in room, by name.
func (h *Handler) onlineIn(room int64) []chat.User {
	p := &h.presence
	p.mu.Lock()
	people := make([]chat.User, 0, len(p.rooms[room]))
	for _, o := range p.rooms[room] {
		people = append(people, o.user)
	}
	for id, o := range p.remote[room] {
		if p.rooms[room][id] == nil {
			people = append(people, o.user)
		}
	}
	p.mu.Unlock()
	slices.SortFunc(people, func(a, b chat.User) int { return cmp.Compare(a.Username, b.Username) })
	return people
}

// peerOnline reports whether someone other than me is online in room (a
// direct conversation: its other person).
func (h *Handler) peerOnline(room, me int64) bool {
	p := &h.presence
	p.mu.Lock()
	defer p.mu.Unlock()
	for id := range p.rooms[room] {
		if id != me {
			return true
		}
	}
	for id := range p.remote[room] {
		if id != me {
			return true
		}
	}
	return false
}

// presenceEvent renders u coming online (or going) in room r, once for
// everyone: the room's page updates its online list; in a direct
// conversation every page of its two people updates the sidebar's mark of
// u, which only the other one's sidebar has.
func presenceEvent(r presenceRoom, u chat.User, on bool) hub.Event {
	ev := hub.Event{Kind: hub.Presence, Room: r.id}
	if on {
		ev.Frame = renderBytes(views.Online(u))
	} else {
		ev.Frame = renderBytes(views.Offline(u))
	}
	if r.direct {
		aside := renderBytes(views.DirectOnline(r.id, u.Username, on))
		ev.Frame = append(ev.Frame, aside...)
		ev.Aside = aside
	}
	return ev
}
