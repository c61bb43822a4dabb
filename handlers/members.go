package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/hub"
	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

// A room's own places, besides its conversation: its member list (with the
// topic and adding people), and the question before leaving it. Each is a
// page of its own that works without script, with the room's header and
// the sidebar around it.
//
// Who may see them: the members of the room, as for its messages (the one
// check, room): a private or direct room is 404 to anyone else, exactly as
// a room that does not exist; a public room's list is 403 until one joins,
// as its messages are. Who is in a room says as much as what is said there.

func membersURL(id int64) string { return roomURL(id) + "/members" }

// MembersPage shows who is in a room, its topic, and the forms to change
// the topic, add someone, and leave.
func (h *Handler) MembersPage(c echo.Context) error {
	r, err := h.memberRoom(c)
	if err != nil {
		return err
	}
	page, err := h.membersPage(c, r)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.Room(page))
}

func (h *Handler) membersPage(c echo.Context, r chat.Room) (views.RoomPage, error) {
	page := h.basePage(c, r, true)
	page.View, page.MaxTopicLen = views.MembersView, db.MaxTopicLen
	var err error
	if page.Members, err = h.Store.Members(c.Request().Context(), r.ID); err != nil {
		return page, err
	}
	page.Online = make(map[int64]bool)
	for _, u := range h.onlineIn(r.ID) {
		page.Online[u.ID] = true
	}
	return page, h.fillSidebar(c, &page)
}

// membersProblem shows the member list with a problem to fix (past the
// room-change limit, whose 429 and Retry-After are for what sends that
// fast; see homeProblem).
func (h *Handler) membersProblem(c echo.Context, r chat.Room, status int, problem string) error {
	page, err := h.membersPage(c, r)
	if err != nil {
		return err
	}
	page.Problem = tr(c, problem) // a catalog id
	return render(c, status, views.Room(page))
}

// LeavePage asks before leaving: the Leave button posts, so that leaving
// (which a private room may not let one undo) is never one stray click,
// and works without script. Someone not in the room has nothing to leave
// and goes to the room's page.
func (h *Handler) LeavePage(c echo.Context) error {
	r, member, err := h.room(c)
	if err != nil {
		return err
	}
	if !member {
		return c.Redirect(http.StatusSeeOther, roomURL(r.ID))
	}
	page := h.basePage(c, r, true)
	page.View = views.LeaveView
	if err := h.fillSidebar(c, &page); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.Room(page))
}

// SetTopic changes a room's topic. Any member may, as any member may add
// people: charla's rooms have no owners. It shares the room-change limit.
// The room's open pages get the new topic line at once (rendered once, an
// ephemeral hub event, relayed to other instances); a page whose socket
// was away gets it when it connects again (see replay).
func (h *Handler) SetTopic(c echo.Context) error {
	r, err := h.memberRoom(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	if !h.allowRoomChange(c, u) {
		return h.membersProblem(c, r, http.StatusTooManyRequests, roomChangeProblem)
	}
	topic, err := h.Store.SetTopic(c.Request().Context(), r.ID, c.FormValue("topic"))
	if errors.Is(err, db.ErrTopicTooLong) {
		return h.problemRedirect(c, membersURL(r.ID), problemTopicTooLong, "")
	}
	if err != nil {
		return err
	}
	h.Log.Info("topic set", "room", r.ID, "by", u.Username, "length", len(topic))
	h.Hub.Publish(hub.Event{Kind: hub.Topic, Room: r.ID, Frame: renderBytes(views.TopicUpdate(chat.Room{ID: r.ID, Topic: topic}))})
	return c.Redirect(http.StatusSeeOther, membersURL(r.ID))
}

// Suggest answers the username fields' autocomplete: the <option>s of
// their <datalist>, usernames of active accounts beginning with what was
// typed (see db.Usernames for what that may reveal, and its bounds). htmx
// sends the field's own name and value. Past the per-person limit it
// answers 204, which htmx does not swap: the suggestions shown stay.
func (h *Handler) Suggest(c echo.Context) error {
	u, _ := currentUser(c)
	if !allow(h.limits.suggest, strconv.FormatInt(u.ID, 10)) {
		return c.NoContent(http.StatusNoContent)
	}
	typed := strings.TrimSpace(c.QueryParam("username"))
	names, err := h.Store.Usernames(c.Request().Context(), typed, u.ID)
	if err != nil && !errors.Is(err, db.ErrShortPrefix) {
		return err
	}
	// Suggestions change as accounts do; a browser need not keep them.
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return render(c, http.StatusOK, views.Suggestions(names))
}
