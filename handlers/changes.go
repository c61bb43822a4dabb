package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/i18n"
	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

// change makes a change to a message of room on u's behalf: the one path
// of the socket's frames and of the plain-HTTP forms. Who may make which
// change is decided by the writer, in the statement that makes it.
func (h *Handler) change(ctx context.Context, u chat.User, room int64, kind chat.Change, id int64, body, emoji string) (chat.Message, error) {
	return h.Poster.Change(ctx, db.MessageChange{Kind: kind, RoomID: room, MessageID: id, By: u, Body: body, Emoji: emoji})
}

// changeProblem turns a Change error into a status and words for the person.
func changeProblem(ctx context.Context, err error) (int, string) {
	switch {
	case errors.Is(err, db.ErrNoMessage):
		return http.StatusNotFound, i18n.T(ctx, "change.no-message")
	case errors.Is(err, db.ErrNotYours):
		return http.StatusForbidden, i18n.T(ctx, "change.not-yours")
	case errors.Is(err, db.ErrNoReaction):
		return http.StatusUnprocessableEntity, i18n.T(ctx, "change.no-reaction")
	case errors.Is(err, db.ErrEmpty):
		return http.StatusUnprocessableEntity, i18n.T(ctx, "change.empty")
	case errors.Is(err, db.ErrConflict):
		return http.StatusConflict, i18n.T(ctx, "change.conflict")
	case errors.Is(err, db.ErrInDoubt):
		return http.StatusServiceUnavailable, i18n.T(ctx, "change.in-doubt")
	case errors.Is(err, errSlowDown):
		return http.StatusTooManyRequests, i18n.T(ctx, "change.slow-down")
	}
	return sendProblem(ctx, err)
}

// messageInRoom reads the message named in the URL, in the room named
// there, for a member of that room. Another room's message is the same
// 404 as none.
func (h *Handler) messageInRoom(c echo.Context) (chat.Room, chat.Message, error) {
	r, err := h.memberRoom(c)
	if err != nil {
		return chat.Room{}, chat.Message{}, err
	}
	id, err := strconv.ParseInt(c.Param("mid"), 10, 64)
	if err != nil || id <= 0 {
		return chat.Room{}, chat.Message{}, errNoMessage
	}
	m, err := h.Store.Message(c.Request().Context(), r.ID, id)
	switch {
	case errors.Is(err, db.ErrNoMessage):
		return chat.Room{}, chat.Message{}, errNoMessage
	case err != nil:
		return chat.Room{}, chat.Message{}, err
	}
	return r, m, nil
}

var errNoMessage = echo.NewHTTPError(http.StatusNotFound, "error.no-message")

// MessagePage shows one message with the forms that change it, as far as
// the person may: react (any member), edit (the author), delete (the
// author, an admin). htmx loads it into the message's menu (the menu
// alone); without script it is a page of its own whose forms post.
func (h *Handler) MessagePage(c echo.Context) error {
	r, m, err := h.messageInRoom(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	menu := views.MessageMenu{Message: m, User: u, CSRF: csrfToken(c), Draft: m.Body, MaxLen: db.MaxMessageLen}
	if c.Request().Header.Get("HX-Request") == "true" {
		return render(c, http.StatusOK, views.MessageActions(menu))
	}
	return render(c, http.StatusOK, views.MessagePage(r, menu))
}

// EditMessage, DeleteMessage and ReactToMessage are the plain-HTTP forms
// of the message's page. On success they go back to the room at the
// message; on a problem they show the page again with it, and with the
// text as typed.
func (h *Handler) EditMessage(c echo.Context) error { return h.changeByForm(c, chat.Edit) }

func (h *Handler) DeleteMessage(c echo.Context) error { return h.changeByForm(c, chat.Delete) }

func (h *Handler) ReactToMessage(c echo.Context) error { return h.changeByForm(c, chat.React) }

func (h *Handler) changeByForm(c echo.Context, kind chat.Change) error {
	r, m, err := h.messageInRoom(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	err = errSlowDown
	if allow(h.limits.send, strconv.FormatInt(u.ID, 10)) {
		_, err = h.change(c.Request().Context(), u, r.ID, kind, m.ID, c.FormValue("body"), c.FormValue("emoji"))
	}
	if err == nil {
		return c.Redirect(http.StatusSeeOther, roomURL(r.ID)+"#"+views.MessageID(m.ID))
	}
	status, problem := changeProblem(c.Request().Context(), err)
	if status >= 500 {
		h.Log.Warn("change over http failed", "err", err)
	}
	draft := m.Body
	if kind == chat.Edit {
		draft = c.FormValue("body")
	}
	menu := views.MessageMenu{Message: m, User: u, CSRF: csrfToken(c), Draft: draft, Problem: problem, MaxLen: db.MaxMessageLen}
	return render(c, status, views.MessagePage(r, menu))
}

// MyStyles is the viewer's own stylesheet: what differs per viewer in
// frames rendered once for everyone, marked by CSS instead of by a render
// per viewer. It marks the reactions that are the viewer's own. It holds
// nothing but the viewer's id, so it may be cached.
func (h *Handler) MyStyles(c echo.Context) error {
	u, _ := currentUser(c)
	c.Response().Header().Set("Cache-Control", "private, max-age=86400")
	id := strconv.FormatInt(u.ID, 10)
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", []byte(
		`.reactions button[data-people~="`+id+`"] { border-color: var(--accent); background: var(--mine); }`+"\n"))
}
