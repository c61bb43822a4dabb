package handlers

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"time"

	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

// InvitesPage lets an admin make sign-up invite links.
func (h *Handler) InvitesPage(c echo.Context) error {
	return render(c, http.StatusOK, views.Invites(views.InvitesPage{CSRF: csrfToken(c), InviteOnly: h.Signup == SignupInvite}))
}

// CreateInvite makes a single-use sign-up link, valid for a week. Only its
// hash is stored: the link is shown once, here.
func (h *Handler) CreateInvite(c echo.Context) error {
	u, _ := currentUser(c)
	token := rand.Text()
	if err := h.Store.CreateInvite(c.Request().Context(), hashToken(token), u.ID, time.Now().Add(inviteTTL)); err != nil {
		return err
	}
	h.Log.Info("invite created", "by", u.Username)
	scheme := "http" // c.Scheme() would believe anyone's X-Forwarded-Proto
	if h.secure(c) {
		scheme = "https"
	}
	link := scheme + "://" + c.Request().Host + "/signup?invite=" + url.QueryEscape(token)
	return render(c, http.StatusOK, views.Invites(views.InvitesPage{CSRF: csrfToken(c), InviteOnly: h.Signup == SignupInvite, Link: link}))
}
