package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

// errNoRoom is what anyone gets for a room that does not exist or that they
// may not know of: the same answer, so ids cannot be probed.
var errNoRoom = echo.NewHTTPError(http.StatusNotFound, "error.no-room")

// room returns the room named in the URL and whether the signed-in person
// is a member. Private and direct rooms do not exist for non-members.
//
// This is the one place that decides who may see a room: every page,
// history load, send and socket of a room goes through it.
func (h *Handler) room(c echo.Context) (chat.Room, bool, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return chat.Room{}, false, errNoRoom
	}
	u, _ := currentUser(c)
	r, member, err := h.Store.RoomFor(c.Request().Context(), id, u.ID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !member && r.Kind != chat.Public) {
		return chat.Room{}, false, errNoRoom
	}
	return r, member, err
}

// memberRoom is room for actions only members may take; a public room's
// non-member gets 403 (the room is no secret, its messages are).
func (h *Handler) memberRoom(c echo.Context) (chat.Room, error) {
	r, member, err := h.room(c)
	if err == nil && !member {
		return chat.Room{}, echo.NewHTTPError(http.StatusForbidden, "error.join-first")
	}
	return r, err
}

// Home goes to the person's first room, or shows the room list.
func (h *Handler) Home(c echo.Context) error {
	u, _ := currentUser(c)
	rooms, err := h.Store.Rooms(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	for _, r := range rooms {
		if r.ID == db.GeneralRoom {
			return c.Redirect(http.StatusSeeOther, roomURL(r.ID))
		}
	}
	if len(rooms) > 0 {
		return c.Redirect(http.StatusSeeOther, roomURL(rooms[0].ID))
	}
	page, err := h.roomPage(c, chat.Room{}, false, 0)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.Room(page))
}

func roomURL(id int64) string { return "/rooms/" + strconv.FormatInt(id, 10) }

// RoomPage shows a room with its newest page of history (or, with
// ?before=ID, an archive page), or the invitation to join a public room.
func (h *Handler) RoomPage(c echo.Context) error {
	r, member, err := h.room(c)
	if err != nil {
		return err
	}
	before, err := optionalID(c.QueryParam("before"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "error.bad-before")
	}
	at, err := optionalID(c.QueryParam("at"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "error.bad-at")
	}
	if at > 0 {
		before = at + 1 // an archive page that ends at the message…
	}
	page, err := h.roomPage(c, r, member, before)
	if err != nil {
		return err
	}
	if at > 0 && member {
		if err := h.withNewer(c, &page, at); err != nil { // …and goes on after it
			return err
		}
	}
	return render(c, http.StatusOK, views.Room(page))
}

// roomPage gathers what the room page shows. A member's live view marks
// the room read up to its newest message.
func (h *Handler) roomPage(c echo.Context, r chat.Room, member bool, before int64) (views.RoomPage, error) {
	page := h.basePage(c, r, member)
	page.Before, page.Key, page.MaxMessageLen = before, newKey(), db.MaxMessageLen
	if member {
		// The cursor is read before the messages: a change made between
		// the two is then replayed by the socket (harmless if shown).
		cursor, err := h.Store.Cursor(c.Request().Context(), r.ID)
		if err != nil {
			return page, err
		}
		page.Cursor = cursor
		msgs, hasOlder, err := h.page(c, r.ID, before)
		if err != nil {
			return page, err
		}
		page.Messages, page.HasOlder = msgs, hasOlder
		if before == 0 && len(msgs) > 0 {
			if err := h.markShown(c, &page); err != nil {
				return page, err
			}
		}
	}
	// After markShown: the sidebar shows this room read.
	return page, h.fillSidebar(c, &page)
}

// basePage is what every page of a room (or the lobby) starts from: who is
// looking, the room, and the form problem waiting for this page, if any.
func (h *Handler) basePage(c echo.Context, r chat.Room, member bool) views.RoomPage {
	u, _ := currentUser(c)
	page := views.RoomPage{User: u, Room: r, Member: member, CSRF: csrfToken(c)}
	h.takeFlash(c, &page)
	return page
}

// fillSidebar reads the person's rooms and the public rooms to browse, and
// the other person's name when the page is a direct conversation.
func (h *Handler) fillSidebar(c echo.Context, page *views.RoomPage) error {
	ctx := c.Request().Context()
	var err error
	if page.Rooms, err = h.Store.Rooms(ctx, page.User.ID); err != nil {
		return err
	}
	if err = h.countMentions(ctx, page.User, page.Rooms); err != nil {
		return err
	}
	if page.Public, err = h.Store.PublicRooms(ctx, page.User.ID); err != nil {
		return err
	}
	for _, rs := range page.Rooms {
		if rs.ID == page.Room.ID {
			page.Peer = rs.Peer
		}
	}
	return nil
}

// markShown finds where the person's unread messages begin on a live page
// (the "new messages" line), then marks the room read up to its newest
// message. When they begin before the page (more are unread than it
// holds), there is no line and the page opens at the newest message as
// before: a line on the page's first message would be in the wrong place,
// and opening there would load older pages above it at once.
func (h *Handler) markShown(c echo.Context, page *views.RoomPage) error {
	ctx := c.Request().Context()
	last, err := h.Store.ReadMark(ctx, page.Room.ID, page.User.ID)
	if err != nil {
		return err
	}
	page.UnreadFrom = views.FirstUnread(page.Messages, last, page.User.ID)
	if page.HasOlder && page.UnreadFrom == page.Messages[0].ID {
		page.UnreadFrom = 0
	}
	return h.Store.MarkRead(ctx, page.Room.ID, page.User.ID, page.Messages[len(page.Messages)-1].ID)
}

// page reads one page of history before the given id (the newest when 0)
// and whether anything older is left, by asking for one message more.
func (h *Handler) page(c echo.Context, room, before int64) ([]chat.Message, bool, error) {
	msgs, err := h.Store.Messages(c.Request().Context(), room, before, db.PageSize+1)
	if err != nil {
		return nil, false, err
	}
	if len(msgs) > db.PageSize {
		return msgs[1:], true, nil
	}
	return msgs, false, nil
}

// CreateRoom makes a public or private room and goes there.
func (h *Handler) CreateRoom(c echo.Context) error {
	u, _ := currentUser(c)
	if !h.allowRoomChange(c, u) {
		return h.homeProblem(c, http.StatusTooManyRequests, roomChangeProblem)
	}
	name := strings.ToLower(strings.TrimSpace(c.FormValue("name")))
	kind := chat.Public
	if c.FormValue("kind") == chat.Private {
		kind = chat.Private
	}
	r, err := h.Store.CreateRoom(c.Request().Context(), name, kind, u.ID)
	switch {
	case errors.Is(err, db.ErrBadRoomName):
		return h.problemRedirect(c, backTo(c), problemBadRoomName, c.FormValue("name"))
	case errors.Is(err, db.ErrTaken):
		// Not given back: the name is not to be had, whoever holds it.
		return h.problemRedirect(c, backTo(c), problemRoomTaken, "")
	case err != nil:
		return err
	}
	h.Log.Info("room created", "room", r.ID, "kind", r.Kind, "by", u.Username)
	h.refreshSockets(u.ID)
	return c.Redirect(http.StatusSeeOther, roomURL(r.ID))
}

// StartDirect opens the direct conversation with another person.
func (h *Handler) StartDirect(c echo.Context) error {
	u, _ := currentUser(c)
	if !h.allowRoomChange(c, u) {
		return h.homeProblem(c, http.StatusTooManyRequests, roomChangeProblem)
	}
	ctx := c.Request().Context()
	other, _, err := h.Store.UserByName(ctx, strings.TrimSpace(c.FormValue("username")))
	// A deactivated account is nobody to talk with, as in the suggestions.
	if errors.Is(err, db.ErrNotFound) || (err == nil && (other.ID == u.ID || other.Deactivated)) {
		return h.problemRedirect(c, backTo(c), problemNoPeer, c.FormValue("username"))
	}
	if err != nil {
		return err
	}
	r, started, err := h.Store.DirectRoom(ctx, u.ID, other.ID)
	if err != nil {
		return err
	}
	if started {
		h.refreshSockets(u.ID, other.ID)
	}
	return c.Redirect(http.StatusSeeOther, roomURL(r.ID))
}

// JoinRoom joins a public room.
func (h *Handler) JoinRoom(c echo.Context) error {
	r, member, err := h.room(c)
	if err != nil {
		return err
	}
	if !member {
		u, _ := currentUser(c)
		if err := h.Store.Join(c.Request().Context(), r.ID, u.ID); err != nil {
			return err
		}
		h.refreshSockets(u.ID)
	}
	return c.Redirect(http.StatusSeeOther, roomURL(r.ID))
}

// LeaveRoom leaves a room. The person's sockets are closed, so that none
// keeps listening to it; their pages reconnect to what they may still see.
func (h *Handler) LeaveRoom(c echo.Context) error {
	r, err := h.memberRoom(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	if err := h.Store.Leave(c.Request().Context(), r.ID, u.ID); err != nil {
		return err
	}
	h.refreshSockets(u.ID)
	return c.Redirect(http.StatusSeeOther, "/")
}

// AddMember adds someone to a public or private room the person is in
// (that is the invitation a private room needs). Direct rooms stay two.
func (h *Handler) AddMember(c echo.Context) error {
	r, err := h.memberRoom(c)
	if err != nil {
		return err
	}
	if r.Kind == chat.Direct {
		return echo.NewHTTPError(http.StatusForbidden, "error.direct-two")
	}
	u, _ := currentUser(c)
	if !h.allowRoomChange(c, u) {
		return h.membersProblem(c, r, http.StatusTooManyRequests, roomChangeProblem)
	}
	added, joined, err := h.Store.AddMember(c.Request().Context(), r.ID, strings.TrimSpace(c.FormValue("username")))
	if errors.Is(err, db.ErrNotFound) {
		return h.problemRedirect(c, membersURL(r.ID), problemNoMember, c.FormValue("username"))
	}
	if err != nil {
		return err
	}
	// Re-adding a member changes nothing: their sockets stay as they are.
	if joined {
		h.Log.Info("member added", "room", r.ID, "user", added.Username, "by", u.Username)
		h.refreshSockets(added.ID)
	}
	// Back to the member list, which now shows them.
	return c.Redirect(http.StatusSeeOther, membersURL(r.ID))
}

// homeProblem shows the lobby with a problem to fix. Only the room-change
// limit uses it (and membersProblem): its 429 and Retry-After are for
// whatever sends that fast. Problems with what was typed go back to the
// person's page instead (see problemRedirect).
func (h *Handler) homeProblem(c echo.Context, status int, problem string) error {
	page, err := h.roomPage(c, chat.Room{}, false, 0)
	if err != nil {
		return err
	}
	page.Problem = tr(c, problem)
	return render(c, status, views.Room(page))
}

func optionalID(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 0 {
		return 0, errors.New("bad id")
	}
	return id, nil
}
