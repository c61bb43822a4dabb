package handlers

import (
	"context"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
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
		return echo.NewHTTPError(http.StatusNotFound, noPage)
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

const (
	// maxSuggestions is how many names the composer suggests for an @.
	maxSuggestions = 8
	// noticeScan is how many of a room's newest messages a notification
	// looks through for the one it is about: it follows a badge that has
	// just gone up, so what it is about is among the newest.
	noticeScan = 20
	// noticeLen is how much of a message a notification shows, in
	// characters: enough to know what it is about. Notifications may show
	// on a locked screen; the person chose to have them.
	noticeLen = 120
)

// MentionNames answers the composer's @ suggestions: the room's members
// whose names begin with ?q, as options for its list. Members only, as
// for every room route (memberRoom).
func (h *Handler) MentionNames(c echo.Context) error {
	r, err := h.memberRoom(c)
	if err != nil {
		return err
	}
	q := views.MentionKey(c.QueryParam("q"))
	if q == "" || utf8.RuneCountInString(q) > db.MaxNameLen {
		return render(c, http.StatusOK, views.MentionSuggestions(nil))
	}
	names, err := h.Store.MemberNames(c.Request().Context(), r.ID, q, maxSuggestions)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.MentionSuggestions(names))
}

// notice is what a browser notification says about a message.
type notice struct {
	ID      int64  `json:"id"`
	Author  string `json:"author"`
	Text    string `json:"text"`
	Mention bool   `json:"mention"` // else a direct message
}

// Notice answers a page that saw a room's mention badge (or a direct
// conversation's unread badge) go up and may notify the person: the newest
// unread message there, from someone else, that mentions them or is in a
// direct conversation; 204 when there is none. Members only (memberRoom),
// so a notification never tells of a room the person may not read.
func (h *Handler) Notice(c echo.Context) error {
	r, err := h.memberRoom(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	mark, err := h.Store.ReadMark(ctx, r.ID, u.ID)
	if err != nil {
		return err
	}
	msgs, err := h.Store.Messages(ctx, r.ID, 0, noticeScan)
	if err != nil {
		return err
	}
	key := views.MentionKey(u.Username)
	for _, m := range slices.Backward(msgs) {
		if m.ID <= mark {
			break
		}
		mention := views.Mentioned(m.Body, key)
		if m.UserID == u.ID || !mention && r.Kind != chat.Direct {
			continue
		}
		return c.JSON(http.StatusOK, notice{ID: m.ID, Author: m.Author, Text: clipText(m.Body, noticeLen), Mention: mention})
	}
	return c.NoContent(http.StatusNoContent)
}

// clipText is s cut to n characters, with an ellipsis when cut.
func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
