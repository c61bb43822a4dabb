package handlers

import (
	"context"
	"net/http"
	"slices"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/hub"
	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

// Mentions (issue 9, item 6). A message is rendered once for every
// reader, so a mention carries only the name it mentions
// (data-mention); what makes the reader's own mentions stand out is their
// own stylesheet, and what counts them for the sidebar is the server.

// MentionStyle serves the stylesheet that makes mentions of one person
// stand out (views.MentionStyle). It says nothing but the name in its own
// address, so anyone may have it and browsers keep it like an asset.
func (h *Handler) MentionStyle(c echo.Context) error {
	key := c.QueryParam("me")
	if !views.ValidMentionKey(key) {
		return echo.NewHTTPError(http.StatusNotFound, "no such stylesheet")
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", []byte(views.MentionStyle(key)))
}

// countMentions fills in the mention counts of u's rooms: their unread
// messages that mention u, by the renderer's rule (views.Mentions), so
// that the count is what the page highlights. The store returns only the
// messages of rooms u is in.
func (h *Handler) countMentions(ctx context.Context, u chat.User, rooms []chat.RoomSummary) error {
	key := views.MentionKey(u.Username)
	msgs, err := h.Store.UnreadMentioning(ctx, u.ID, key)
	if err != nil || len(msgs) == 0 {
		return err
	}
	// Counted up to each room's Newest, as its unread count was: a socket
	// counts what comes after that live.
	newest := make(map[int64]int64, len(rooms))
	for _, rs := range rooms {
		newest[rs.ID] = rs.Newest
	}
	counts := make(map[int64]int)
	for _, m := range msgs {
		if m.ID <= newest[m.RoomID] && views.Mentioned(m.Body, key) {
			counts[m.RoomID]++
		}
	}
	for i := range rooms {
		rooms[i].Mentions = min(counts[rooms[i].ID], chat.MaxUnread)
	}
	return nil
}

// mentionsOf is each message's mentions, for hub.Event.Mentions: nil when
// none mentions anyone, which is most of the time, at no cost.
func mentionsOf(msgs []chat.Message) [][]string {
	var out [][]string
	for i, m := range msgs {
		names := views.Mentions(m.Body)
		if names == nil {
			continue
		}
		if out == nil {
			out = make([][]string, len(msgs))
		}
		out[i] = names
	}
	return out
}

// countMentioned counts the messages of ev, appended to another of s's
// rooms, that mention s's person in that room's mention badge, and returns
// changed with ev's room added if its badge changed. As with unread counts,
// one's own messages are not counted, nor those the sidebar already had.
func (s *socket) countMentioned(ev *hub.Event, changed []int64) []int64 {
	if ev.Mentions == nil || ev.LastID <= s.counted[ev.Room] {
		return changed
	}
	key := views.MentionKey(s.user.Username)
	for i, names := range ev.Mentions {
		if ev.Senders[i] == s.user.ID || !slices.Contains(names, key) {
			continue
		}
		if s.mentions == nil {
			s.mentions = make(map[int64]int)
		}
		s.mentions[ev.Room]++
		if !slices.Contains(changed, ev.Room) {
			changed = append(changed, ev.Room)
		}
	}
	return changed
}
