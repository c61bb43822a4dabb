package handlers

import (
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/charla/charla/db"
	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

// A new invite link follows post/redirect/get: the POST makes it and
// redirects (303) to the invites page, so that reloading that page never
// makes another. Only the token's hash is stored, so the link can be shown
// once only, right after it is made: the token crosses the redirect in a
// short-lived HttpOnly cookie scoped to the invites page, which that page
// takes and clears. It is the admin's own secret, in the admin's own
// browser, for a few seconds; it never goes into a URL (logs, history).
const (
	inviteCookie = "charla_invite"
	invitesPath  = "/admin/invites"
	// inviteShowTTL is how long a new link waits for its page: the
	// redirect's GET follows at once.
	inviteShowTTL = time.Minute
)

// InvitesPage lists the open invites, and shows a link just made, once.
func (h *Handler) InvitesPage(c echo.Context) error {
	open, err := h.Store.OpenInvites(c.Request().Context())
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.Invites(views.InvitesPage{
		CSRF:       csrfToken(c),
		InviteOnly: h.Signup == SignupInvite,
		Link:       h.takeNewInvite(c),
		Open:       open,
	}))
}

// CreateInvite makes a single-use sign-up link, valid for a week, and
// sends the admin to see it (see inviteCookie).
func (h *Handler) CreateInvite(c echo.Context) error {
	u, _ := currentUser(c)
	token := rand.Text()
	if err := h.Store.CreateInvite(c.Request().Context(), hashToken(token), u.ID, time.Now().Add(inviteTTL)); err != nil {
		return err
	}
	h.Log.Info("invite created", "by", u.Username)
	c.SetCookie(h.inviteCookie(c, token, int(inviteShowTTL/time.Second)))
	return c.Redirect(http.StatusSeeOther, invitesPath)
}

// RevokeInvite deletes an open invite: its link stops working.
func (h *Handler) RevokeInvite(c echo.Context) error {
	u, _ := currentUser(c)
	id := c.FormValue("id")
	err := h.Store.RevokeInvite(c.Request().Context(), id)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	// Revoking one already gone (used, or revoked in another tab) leaves
	// the same list: nothing to tell.
	if err == nil {
		h.Log.Info("invite revoked", "by", u.Username)
	}
	return c.Redirect(http.StatusSeeOther, invitesPath)
}

func (h *Handler) inviteCookie(c echo.Context, token string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     inviteCookie,
		Value:    token,
		Path:     invitesPath,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   h.secure(c),
		SameSite: http.SameSiteStrictMode,
	}
}

// takeNewInvite returns the link just made, if one waits for this page,
// and clears it so that a reload does not show it again.
func (h *Handler) takeNewInvite(c echo.Context) string {
	ck, err := c.Cookie(inviteCookie)
	if err != nil || ck.Value == "" {
		return ""
	}
	c.SetCookie(h.inviteCookie(c, "", -1))
	scheme := "http" // c.Scheme() would believe anyone's X-Forwarded-Proto
	if h.secure(c) {
		scheme = "https"
	}
	return scheme + "://" + c.Request().Host + "/signup?invite=" + url.QueryEscape(ck.Value)
}

func toInvites(c echo.Context) error { return c.Redirect(http.StatusSeeOther, invitesPath) }
