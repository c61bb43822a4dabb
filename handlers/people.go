package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/charla/charla/db"
	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

const peoplePath = "/admin/people"

// errDeactivated closes a deactivated person's sockets: their pages
// reconnect, find no session, and go to the sign-in form.
var errDeactivated = errors.New("account deactivated")

// What the people page refuses, as catalog ids.
const (
	problemDeactivateSelf = "problem.deact-self"
	problemLastAdmin      = "problem.last-admin"
	peopleChangeProblem   = "problem.people-rate"
)

// PeoplePage lists the accounts, each with Deactivate or Reactivate.
func (h *Handler) PeoplePage(c echo.Context) error {
	return h.peoplePage(c, http.StatusOK, "")
}

// peoplePage shows the list, with the problem (a catalog id) if any.
func (h *Handler) peoplePage(c echo.Context, status int, problem string) error {
	me, _ := currentUser(c)
	if problem != "" {
		problem = tr(c, problem)
	}
	people, err := h.Store.Accounts(c.Request().Context())
	if err != nil {
		return err
	}
	return render(c, status, views.People(views.PeoplePage{CSRF: csrfToken(c), Me: me.ID, People: people, Problem: problem}))
}

// Deactivate stops an account: it cannot sign in, its sessions end and
// its sockets close. Its messages stay with its name.
func (h *Handler) Deactivate(c echo.Context) error {
	me, _ := currentUser(c)
	id, err := personID(c)
	if err != nil {
		return err
	}
	if id == me.ID {
		return h.peoplePage(c, http.StatusConflict, problemDeactivateSelf)
	}
	if !h.allowRoomChange(c, me) {
		return h.peoplePage(c, http.StatusTooManyRequests, peopleChangeProblem)
	}
	switch err := h.Store.DeactivateUser(c.Request().Context(), id); {
	case errors.Is(err, db.ErrNotFound):
		return errNoPerson
	case errors.Is(err, db.ErrLastAdmin):
		return h.peoplePage(c, http.StatusConflict, problemLastAdmin)
	case err != nil:
		return err
	}
	h.closeSockets(func(s *socket) bool { return s.user.ID == id }, errDeactivated)
	h.Log.Info("account deactivated", "user_id", id, "by", me.Username)
	return c.Redirect(http.StatusSeeOther, peoplePath)
}

// Reactivate lets a deactivated account sign in again.
func (h *Handler) Reactivate(c echo.Context) error {
	me, _ := currentUser(c)
	id, err := personID(c)
	if err != nil {
		return err
	}
	if !h.allowRoomChange(c, me) {
		return h.peoplePage(c, http.StatusTooManyRequests, peopleChangeProblem)
	}
	if err := h.Store.ReactivateUser(c.Request().Context(), id); errors.Is(err, db.ErrNotFound) {
		return errNoPerson
	} else if err != nil {
		return err
	}
	h.Log.Info("account reactivated", "user_id", id, "by", me.Username)
	return c.Redirect(http.StatusSeeOther, peoplePath)
}

var errNoPerson = echo.NewHTTPError(http.StatusNotFound, "error.no-person")

func personID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNoPerson
	}
	return id, nil
}

func toPeople(c echo.Context) error { return c.Redirect(http.StatusSeeOther, peoplePath) }
