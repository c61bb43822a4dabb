package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/charla/charla/db"
	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

// roomName is the one room of the skeleton; rooms come with accounts.
const roomName = "general"

// person returns the requester's display name, handing out a random one
// (and its cookie) to a newcomer.
func (h *Handler) person(c echo.Context) string {
	if name := h.nameFromCookie(c.Request()); name != "" {
		return name
	}
	name := randomName()
	h.setNameCookie(c.Response(), name)
	return name
}

// ChatPage renders the room with its newest page of history, or with
// ?before=ID an archive page of older history (the no-script "older" link).
func (h *Handler) ChatPage(c echo.Context) error {
	before, err := optionalID(c.QueryParam("before"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "before must be a message id")
	}
	page, err := h.chatPage(c, before)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.Chat(page))
}

func (h *Handler) chatPage(c echo.Context, before int64) (views.ChatPage, error) {
	msgs, hasOlder, err := h.page(c, before)
	if err != nil {
		return views.ChatPage{}, err
	}
	return views.ChatPage{
		Room:     roomName,
		Name:     h.person(c),
		Messages: msgs,
		HasOlder: hasOlder,
		Before:   before,
		CSRF:     csrfToken(c),
		Key:      newKey(),
	}, nil
}

// page reads one page of history before the given id (the newest when 0)
// and whether anything older is left, by asking for one message more.
func (h *Handler) page(c echo.Context, before int64) ([]db.Message, bool, error) {
	msgs, err := h.History.Messages(c.Request().Context(), db.GeneralRoom, before, db.PageSize+1)
	if err != nil {
		return nil, false, err
	}
	if len(msgs) > db.PageSize {
		return msgs[1:], true, nil
	}
	return msgs, false, nil
}

// OlderMessages answers the "older" link that htmx loads in place.
func (h *Handler) OlderMessages(c echo.Context) error {
	before, err := optionalID(c.QueryParam("before"))
	if err != nil || before == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "before must be a message id")
	}
	msgs, hasOlder, err := h.page(c, before)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.OlderPage(msgs, hasOlder))
}

// SendMessage is the composer's plain-HTTP path, taken before htmx has wired
// the form or without script. It stores exactly as the socket does; on
// success it goes back to the chat, otherwise it shows the page again with
// the problem and the text as typed.
func (h *Handler) SendMessage(c echo.Context) error {
	name := h.person(c)
	key := c.FormValue("key")
	if !db.ValidKey(key) {
		key = newKey() // an old or odd form: still store it, once
	}
	body := c.FormValue("body")
	_, err := h.Poster.Post(c.Request().Context(), db.NewMessage{RoomID: db.GeneralRoom, Key: key, Author: name, Body: body})
	if err == nil || errors.Is(err, db.ErrEmpty) {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	h.Log.Warn("send over http failed", "err", err)
	status, problem := sendProblem(err)
	page, perr := h.chatPage(c, 0)
	if perr != nil {
		return perr
	}
	page.Key, page.Draft, page.Problem = key, body, problem
	return render(c, status, views.Chat(page))
}

// sendProblem turns a Post error into a status and words for the person.
func sendProblem(err error) (int, string) {
	var tooLong *db.TooLongError
	switch {
	case errors.As(err, &tooLong):
		return http.StatusUnprocessableEntity, "Not sent: your message is " + strconv.Itoa(tooLong.Len) +
			" characters long; the limit is " + strconv.Itoa(db.MaxMessageLen) + ". Shorten it and send again."
	case errors.Is(err, db.ErrBadKey), errors.Is(err, db.ErrKeyTaken):
		return http.StatusUnprocessableEntity, "Not sent: the form was out of date. Send again."
	case errors.Is(err, db.ErrBadName):
		return http.StatusUnprocessableEntity, "Not sent: " + db.ErrBadName.Error() + "."
	default:
		return http.StatusServiceUnavailable, "Not sent: the message could not be saved just now. Your text is still here; send again."
	}
}

// Rename changes the person's display name. Messages already sent keep the
// name they were sent with.
func (h *Handler) Rename(c echo.Context) error {
	name := strings.TrimSpace(c.FormValue("name"))
	if !db.ValidName(name) {
		page, err := h.chatPage(c, 0)
		if err != nil {
			return err
		}
		page.NameDraft, page.NameProblem = c.FormValue("name"), "Names are 1 to 32 characters, without control characters."
		return render(c, http.StatusUnprocessableEntity, views.Chat(page))
	}
	h.setNameCookie(c.Response(), name)
	return c.Redirect(http.StatusSeeOther, "/")
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
