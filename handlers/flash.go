package handlers

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/charla/charla/db"
	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

// Form problems follow post/redirect/get: a form that cannot be carried out
// (a bad or taken room name, an unknown username) redirects (303) back to
// the page the person was on, and that page says what went wrong. The page
// at the form's own address would be wrong twice: reloading it says
// "Method Not Allowed" (or posts again), and it is not where the person was.
//
// The problem travels in a short-lived cookie, as a fixed code plus what was
// typed, never in the URL: a URL that reflects text is a phishing tool
// ("?problem=Your account is locked, call…"), and ends up in logs and
// history. The code picks the words from formProblems; the typed value is
// only ever shown escaped (templ), and is cut to a username's length.
const (
	flashCookie = "charla_flash"
	// flashTTL is how long the problem waits for its page: the redirect's
	// GET follows at once, so a minute is plenty, and a stale problem
	// never surprises anyone later.
	flashTTL = time.Minute
	// maxFlashValue bounds what was typed that the cookie carries: the
	// longest name a form takes (room names are 40).
	maxFlashValue = 40
)

// Form problem codes, and their words: a catalog id, which quotes what
// was typed (%s) when quotes says so.
const (
	problemBadRoomName  = "room-name"
	problemRoomTaken    = "room-taken"
	problemNoPeer       = "no-peer"
	problemNoMember     = "no-member"
	problemTopicTooLong = "topic-long"
)

// problemForm is the sidebar form each problem is about, which gets what
// was typed back (views.RoomPage.Typed).
var problemForm = map[string]string{
	problemBadRoomName: views.NewRoomForm,
	problemNoPeer:      views.NewDirectForm,
	problemNoMember:    views.AddMemberForm,
}

var formProblems = map[string]struct {
	id     string
	quotes bool // the words quote what was typed
	number int  // the words say this number, if not 0
}{
	problemBadRoomName: {id: "problem.room-name"},
	// The same words whoever holds the name: a private room's name is its
	// members' business.
	problemRoomTaken: {id: "problem.room-taken"},
	problemNoPeer:    {id: "problem.no-peer", quotes: true},
	problemNoMember:  {id: "problem.no-member", quotes: true},
	// What was typed is not given back: longer than the cookie carries,
	// and only a client that ignores the field's maxlength sends it.
	problemTopicTooLong: {id: "problem.topic-too-long", number: db.MaxTopicLen},
}

// problemRedirect sends the person back to where with a form problem to show.
func (h *Handler) problemRedirect(c echo.Context, where, code, typed string) error {
	typed = clipTo(strings.TrimSpace(typed), maxFlashValue)
	c.SetCookie(&http.Cookie{
		Name:     flashCookie,
		Value:    code + "." + base64.RawURLEncoding.EncodeToString([]byte(typed)),
		Path:     "/",
		MaxAge:   int(flashTTL / time.Second),
		HttpOnly: true,
		Secure:   h.secure(c),
		SameSite: http.SameSiteLaxMode,
	})
	return c.Redirect(http.StatusSeeOther, where)
}

// takeFlash puts the form problem waiting for this page, if any, on it
// with what was typed, and clears it so that a reload does not show it
// again.
func (h *Handler) takeFlash(c echo.Context, page *views.RoomPage) {
	ck, err := c.Cookie(flashCookie)
	if err != nil {
		return
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.secure(c), SameSite: http.SameSiteLaxMode})
	code, enc, _ := strings.Cut(ck.Value, ".")
	words, ok := formProblems[code]
	typed, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil {
		return
	}
	value := clipTo(string(typed), maxFlashValue)
	switch {
	case words.quotes:
		page.Problem = tr(c, words.id, value)
	case words.number != 0:
		page.Problem = tr(c, words.id, words.number)
	default:
		page.Problem = tr(c, words.id)
	}
	if form, ok := problemForm[code]; ok {
		page.Typed = map[string]string{form: value}
	}
}

// backTo is the page a sidebar form was sent from: the room in its "from"
// field (an id, never a path, so it cannot point elsewhere), or the lobby.
func backTo(c echo.Context) string {
	id, err := strconv.ParseInt(c.FormValue("from"), 10, 64)
	if err != nil || id <= 0 {
		return "/"
	}
	return roomURL(id)
}

// toHome and toRoom answer a GET of a form's address with the page the
// form is on. The room's id goes through as a number, never as text.
func toHome(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/") }

func toRoom(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNoRoom
	}
	return c.Redirect(http.StatusSeeOther, roomURL(id))
}

// toMessage answers a GET of a message form's address with the message's
// page. The ids go through as numbers, never as text.
func toMessage(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	mid, merr := strconv.ParseInt(c.Param("mid"), 10, 64)
	if err != nil || merr != nil || id <= 0 || mid <= 0 {
		return errNoMessage
	}
	return c.Redirect(http.StatusSeeOther, roomURL(id)+"/messages/"+strconv.FormatInt(mid, 10))
}

// toMembers is toRoom for the forms on a room's member list.
func toMembers(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNoRoom
	}
	return c.Redirect(http.StatusSeeOther, membersURL(id))
}
