package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

// OlderMessages answers the "older" link that htmx loads in place.
func (h *Handler) OlderMessages(c echo.Context) error {
	r, err := h.memberRoom(c)
	if err != nil {
		return err
	}
	before, err := optionalID(c.QueryParam("before"))
	if err != nil || before == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "before must be a message id")
	}
	msgs, hasOlder, err := h.page(c, r.ID, before)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.OlderPage(r.ID, msgs, hasOlder))
}

// SendMessage is the composer's plain-HTTP path, taken before htmx has wired
// the form or without script. It stores exactly as the socket does; on
// success it goes back to the room, otherwise it shows the page again with
// the problem and the text as typed.
func (h *Handler) SendMessage(c echo.Context) error {
	r, err := h.memberRoom(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	key := c.FormValue("key")
	if !db.ValidKey(key) {
		key = newKey() // an old or odd form: still store it, once
	}
	body := c.FormValue("body")
	_, err = h.send(c.Request().Context(), u, r.ID, key, body)
	if err == nil || errors.Is(err, db.ErrEmpty) {
		return c.Redirect(http.StatusSeeOther, roomURL(r.ID))
	}
	status, problem := sendProblem(err)
	if status >= 500 {
		h.Log.Warn("send over http failed", "err", err)
	}
	page, perr := h.roomPage(c, r, true, 0)
	if perr != nil {
		return perr
	}
	page.Key, page.Draft, page.Problem = key, body, problem
	return render(c, status, views.Room(page))
}

// errSlowDown: the person sends faster than SendRate allows.
var errSlowDown = errors.New("sending too fast")

// send stores a message from u in room, within u's send limit: the one
// path of the socket and of the plain-HTTP form.
func (h *Handler) send(ctx context.Context, u chat.User, room int64, key, body string) (db.Stored, error) {
	if !allow(h.limits.send, strconv.FormatInt(u.ID, 10)) {
		return db.Stored{}, errSlowDown
	}
	return h.Poster.Post(ctx, db.NewMessage{RoomID: room, UserID: u.ID, Key: key, Author: u.Username, Body: body})
}

// sendProblem turns a Post error into a status and words for the person.
func sendProblem(err error) (int, string) {
	var tooLong *db.TooLongError
	switch {
	case errors.As(err, &tooLong):
		return http.StatusUnprocessableEntity, "Not sent: your message is " + strconv.Itoa(tooLong.Len) +
			" characters long; the limit is " + strconv.Itoa(db.MaxMessageLen) + ". Shorten it and send again."
	case errors.Is(err, errSlowDown):
		return http.StatusTooManyRequests, "Slow down: you are sending faster than this chat allows. Wait a moment and send again."
	case errors.Is(err, db.ErrBadKey), errors.Is(err, db.ErrKeyTaken):
		return http.StatusUnprocessableEntity, "Not sent: the form was out of date. Send again."
	case errors.Is(err, db.ErrInDoubt):
		// The database had it and did not answer: the writer finds out, and
		// publishes it if it was stored. A resend is the same message.
		return http.StatusServiceUnavailable, "Not confirmed: the database did not answer in time. " +
			"If your message was saved it will appear here; sending it again will not post it twice."
	case errors.Is(err, db.ErrPublish):
		// A bug while rendering it (logged): a resend shows the stored copy.
		return http.StatusInternalServerError, "Saved, but it could not be shown just now. Send it again to show it; it will not be posted twice."
	case errors.Is(err, context.DeadlineExceeded):
		// Never handed to the database (Post says so): it will not appear.
		return http.StatusServiceUnavailable, "Not sent: the database is not answering just now. Your text is still here; send again."
	default:
		return http.StatusServiceUnavailable, "Not sent: the message could not be saved just now. Your text is still here; send again."
	}
}
