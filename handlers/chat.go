package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/i18n"
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
		return echo.NewHTTPError(http.StatusBadRequest, "error.bad-before")
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
	status, problem := sendProblem(c.Request().Context(), err)
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
	return h.post(ctx, u, room, key, body)
}

func (h *Handler) post(ctx context.Context, u chat.User, room int64, key, body string) (db.Stored, error) {
	return h.Poster.Post(ctx, db.NewMessage{RoomID: room, UserID: u.ID, Key: key, Author: u.Username, Body: body})
}

// A burst over the send limit is paced, not refused: a socket's reader
// waits for the person's next send token (up to maxSendWait a message)
// before it reads the next frame.
//
// Why here and not in the page: the reader is the one place that sees a
// person's messages in the order they were typed, one at a time, and the
// limiter's own state. A page that resent a refused message after a delay
// would put it after the ones it had sent meanwhile (the next token may go
// to any of them); a page that paced itself would have to guess the
// bucket, which the person's other tabs share. Waiting keeps the order,
// loses nothing, and holds a flood to the same rate: its frames wait in
// its own connection's buffers, not in memory here. Only a wait longer
// than maxSendWait (many tabs flooding at once) is refused with "slow
// down" and the text handed back. The plain-HTTP form sends one message
// a page load and is refused at once, as it cannot be held.
const (
	// maxSendWait is how long one message may wait for a token: at the
	// default 5 a second, 15 tokens' time.
	maxSendWait = 3 * time.Second
	// sendTokenPoll is how often a waiting reader asks again.
	sendTokenPoll = 20 * time.Millisecond
)

// awaitSendToken takes one of u's send tokens, waiting for it while the
// socket stays open, up to maxSendWait.
func (h *Handler) awaitSendToken(s *socket) bool {
	key := strconv.FormatInt(s.user.ID, 10)
	deadline := time.Now().Add(maxSendWait)
	for !try(h.limits.send, key) {
		if s.closeCode.Load() != 0 {
			return false
		}
		if time.Now().Add(sendTokenPoll).After(deadline) {
			h.limits.send.refuse() // once, not once a poll
			return false
		}
		time.Sleep(sendTokenPoll)
	}
	return true
}

// sendProblem turns a Post error into a status and words for the person,
// in ctx's language.
func sendProblem(ctx context.Context, err error) (int, string) {
	var tooLong *db.TooLongError
	switch {
	case errors.As(err, &tooLong):
		return http.StatusUnprocessableEntity, i18n.T(ctx, "send.too-long", tooLong.Len, db.MaxMessageLen)
	case errors.Is(err, errSlowDown):
		return http.StatusTooManyRequests, i18n.T(ctx, "send.slow-down")
	case errors.Is(err, db.ErrBadKey), errors.Is(err, db.ErrKeyTaken):
		return http.StatusUnprocessableEntity, i18n.T(ctx, "send.out-of-date")
	case errors.Is(err, db.ErrInDoubt):
		// The database had it and did not answer: the writer finds out, and
		// publishes it if it was stored. A resend is the same message.
		return http.StatusServiceUnavailable, i18n.T(ctx, "send.in-doubt")
	case errors.Is(err, db.ErrPublish):
		// A bug while rendering it (logged): a resend shows the stored copy.
		return http.StatusInternalServerError, i18n.T(ctx, "send.publish")
	case errors.Is(err, context.DeadlineExceeded):
		// Never handed to the database (Post says so): it will not appear.
		return http.StatusServiceUnavailable, i18n.T(ctx, "send.db-timeout")
	default:
		return http.StatusServiceUnavailable, i18n.T(ctx, "send.failed")
	}
}
