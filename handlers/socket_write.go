package handlers

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/a-h/templ"
	"github.com/charla/charla/hub"
	"github.com/charla/charla/views"
	"github.com/coder/websocket"
)

// errWrite marks a failed write to the client: the connection is gone.
var errWrite = errors.New("write failed")

// kick makes sure a writer runs for s: the hub queued an event, or a reply
// is waiting.
func (h *Handler) kick(s *socket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flushing {
		return
	}
	s.flushing = true
	go h.flush(s)
}

// flush writes what is queued until nothing is, then stops. Only one flush
// runs at a time (s.flushing). Frames queued together go out as one
// WebSocket message: hx-ws swaps each part, and a busy room costs fewer
// writes and fewer swaps.
func (h *Handler) flush(s *socket) {
	defer h.survive(s)
	var frames [][]byte
	for {
		s.mu.Lock()
		events := s.sub.Take()
		direct := s.direct
		s.direct = nil
		if s.dead || (len(events) == 0 && len(direct) == 0) {
			s.flushing = s.dead // a dead socket never starts another writer
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()

		frames = frames[:0]
		var unread, mentioned []int64 // rooms whose badges changed
		for _, ev := range events {
			switch {
			case ev.Room != s.room && ev.Kind == hub.Appended:
				mentioned = s.countMentioned(ev, mentioned)
				unread = s.countUnread(ev, unread)
			case ev.Room != s.room:
				if ev.Aside != nil {
					frames = append(frames, ev.Aside)
				}
			case ev.Kind.Ephemeral():
				frames = append(frames, ev.Frame)
			case ev.Pos <= s.last:
				// already sent by the replay
			default:
				frames = append(frames, ev.Frame)
				s.last = ev.Pos
				if ev.Kind == hub.Appended {
					s.newest = max(s.newest, ev.LastID)
				}
			}
		}
		for _, room := range unread {
			frames = append(frames, renderIn(s.langCtx(), views.UnreadCount(room, s.unread[room])))
		}
		for _, room := range mentioned {
			frames = append(frames, renderIn(s.langCtx(), views.MentionCount(room, s.mentions[room])))
		}
		s.sub.Release(events)
		frames = append(frames, direct...)
		if s.newest > s.lastSent.Load() {
			s.lastSent.Store(s.newest)
			h.markSoon(s)
		}
		if len(frames) == 0 {
			continue
		}
		if err := h.write(s, frames...); err != nil {
			s.mu.Lock()
			s.dead = true
			s.mu.Unlock()
			s.conn.CloseNow()
			return
		}
	}
}

// countUnread counts the messages of ev, appended to another of s's rooms,
// in that room's badge, and returns changed (the rooms whose badge
// changed) with ev's room added if its badge changed.
func (s *socket) countUnread(ev *hub.Event, changed []int64) []int64 {
	if ev.LastID <= s.counted[ev.Room] {
		return changed // counted when the sidebar was read
	}
	if s.unread == nil {
		s.unread = make(map[int64]int)
	}
	for _, sender := range ev.Senders {
		if sender == s.user.ID {
			continue // one's own, sent from another tab, are read
		}
		s.unread[ev.Room]++
		if !slices.Contains(changed, ev.Room) {
			changed = append(changed, ev.Room)
		}
	}
	return changed
}

// write sends frames as one message. Only one write runs at a time (the
// replay, then one flush at a time). Its context never ends: the watchdog
// bounds it, and coder/websocket would tear the connection down if a
// write's context ended, which a closing socket sending its close code
// must not risk.
func (h *Handler) write(s *socket, frames ...[]byte) error {
	if s.watchdog == nil {
		s.watchdog = time.AfterFunc(writeTimeout, func() { s.conn.CloseNow() })
	} else {
		s.watchdog.Reset(writeTimeout)
	}
	defer s.watchdog.Stop()
	ctx := context.Background()
	if len(frames) == 1 {
		return s.conn.Write(ctx, websocket.MessageText, frames[0])
	}
	w, err := s.conn.Writer(ctx, websocket.MessageText)
	if err != nil {
		return err
	}
	for _, f := range frames {
		if _, err := w.Write(f); err != nil {
			return err
		}
	}
	return w.Close()
}

// reply queues a frame for this socket alone, in its person's language. A
// client too slow to take its own replies is dropped, like one too slow for
// the room.
func (h *Handler) reply(s *socket, c templ.Component) {
	frame := renderIn(s.langCtx(), c)
	s.mu.Lock()
	full := len(s.direct) >= directQueue
	if !full {
		s.direct = append(s.direct, frame)
	}
	s.mu.Unlock()
	if full {
		s.close(websocket.StatusTryAgainLater, "too slow: reconnect to catch up")
		return
	}
	h.kick(s)
}
