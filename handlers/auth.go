package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charla/charla/db"
	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

const (
	sessionCookie = "charla_session"
	sessionTTL    = 30 * 24 * time.Hour
	inviteTTL     = 7 * 24 * time.Hour
	userKey       = "user"    // echo.Context key of the signed-in db.User
	sessionKey    = "session" // echo.Context key of the session's token hash
)

// currentUser returns the signed-in person, if any.
func currentUser(c echo.Context) (db.User, bool) {
	u, ok := c.Get(userKey).(db.User)
	return u, ok
}

// authenticate finds the person behind the session cookie, if any. The
// cookie is the session token and its HMAC: a forged or mangled cookie is
// refused here, without a database lookup; a real one must also name a live
// session in the database, so signing out (which deletes it) is final.
func (h *Handler) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/static/") {
			return next(c)
		}
		cookie, err := c.Cookie(sessionCookie)
		if err != nil {
			return next(c)
		}
		token, ok := h.verifyToken(cookie.Value)
		if !ok {
			return next(c)
		}
		hash := hashToken(token)
		u, err := h.Store.SessionUser(c.Request().Context(), hash)
		if errors.Is(err, db.ErrNotFound) {
			return next(c)
		}
		if err != nil {
			return err
		}
		c.Set(userKey, u)
		c.Set(sessionKey, hash)
		return next(c)
	}
}

// requireUser sends a signed-out visitor to the sign-in page, and back
// here afterwards.
func requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := currentUser(c); !ok {
			if c.Request().Method != http.MethodGet {
				return echo.NewHTTPError(http.StatusUnauthorized, "sign in first")
			}
			return c.Redirect(http.StatusSeeOther, "/signin?next="+c.Request().URL.RequestURI())
		}
		return next(c)
	}
}

// requireAdmin lets only admins through, and tells others nothing is here.
func requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return requireUser(func(c echo.Context) error {
		if u, _ := currentUser(c); !u.Admin {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		return next(c)
	})
}

func (h *Handler) signToken(token string) string {
	m := hmac.New(sha256.New, h.Secret)
	m.Write([]byte("session:" + token))
	return token + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (h *Handler) verifyToken(value string) (string, bool) {
	token, _, ok := strings.Cut(value, ".")
	if !ok || !hmac.Equal([]byte(h.signToken(token)), []byte(value)) {
		return "", false
	}
	return token, true
}

// hashToken is what the database keeps of a session or invite token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// startSession signs u in on this browser.
func (h *Handler) startSession(c echo.Context, u db.User) error {
	token := rand.Text()
	if err := h.Store.CreateSession(c.Request().Context(), hashToken(token), u.ID, time.Now().Add(sessionTTL)); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name:     sessionCookie,
		Value:    h.signToken(token),
		Path:     "/",
		MaxAge:   int(sessionTTL.Seconds()),
		HttpOnly: true,
		Secure:   h.SecureCookies || c.IsTLS(),
		SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (h *Handler) authForm(c echo.Context) views.AuthForm {
	return views.AuthForm{
		CSRF:   csrfToken(c),
		Next:   localPath(c.FormValue("next")),
		Invite: c.FormValue("invite"),
	}
}

// inviteNeeded: in invite mode, every sign-up but the very first (the
// admin, who makes the invites) needs one.
func (h *Handler) inviteNeeded(c echo.Context) (bool, error) {
	if h.Signup != SignupInvite {
		return false, nil
	}
	return h.Store.HasUsers(c.Request().Context())
}

// SignUpPage shows the sign-up form (with ?invite=TOKEN in invite mode).
func (h *Handler) SignUpPage(c echo.Context) error {
	f := h.authForm(c)
	var err error
	if f.InviteOnly, err = h.inviteNeeded(c); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.SignUp(f))
}

// SignUp creates an account and signs it in. The first account is the admin.
func (h *Handler) SignUp(c echo.Context) error {
	ctx := c.Request().Context()
	f := h.authForm(c)
	f.Username = strings.TrimSpace(c.FormValue("username"))
	password := c.FormValue("password")
	fail := func(status int, problem string) error {
		f.Problem = problem
		return render(c, status, views.SignUp(f))
	}
	switch n := utf8.RuneCountInString(password); {
	case !db.ValidUsername(f.Username):
		return fail(http.StatusUnprocessableEntity, "Usernames are 3 to 32 letters, digits, dots, dashes or underscores.")
	case n < minPasswordLen || n > maxPasswordLen:
		return fail(http.StatusUnprocessableEntity, "Passwords are 8 to 128 characters.")
	}
	inviteHash := ""
	inviteNeeded, err := h.inviteNeeded(c)
	if err != nil {
		return err
	}
	if inviteNeeded {
		inviteHash = hashToken(f.Invite)
		if err := h.Store.ClaimInvite(ctx, inviteHash); errors.Is(err, db.ErrNotFound) {
			return fail(http.StatusForbidden, "Signing up needs an invite link from an admin, and this one is unknown, used or expired.")
		} else if err != nil {
			return err
		}
	}
	u, err := h.Store.CreateUser(ctx, f.Username, hashPassword(password))
	if err != nil && inviteHash != "" {
		h.Store.ReleaseInvite(ctx, inviteHash)
	}
	if errors.Is(err, db.ErrTaken) {
		return fail(http.StatusConflict, "That username is taken.")
	}
	if err != nil {
		return err
	}
	if inviteHash != "" {
		if err := h.Store.UseInvite(ctx, inviteHash, u.ID); err != nil {
			return err
		}
	}
	h.Log.Info("signed up", "user", u.Username, "admin", u.Admin)
	if err := h.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, or(f.Next, "/"))
}

// SignInPage shows the sign-in form.
func (h *Handler) SignInPage(c echo.Context) error {
	return render(c, http.StatusOK, views.SignIn(h.authForm(c)))
}

// SignIn checks a username and password. Attempts are limited per account
// and per address, whether they succeed or not.
func (h *Handler) SignIn(c echo.Context) error {
	ctx := c.Request().Context()
	f := h.authForm(c)
	f.Username = strings.TrimSpace(c.FormValue("username"))
	if !allow(h.limits.signInIP, c.RealIP()) || !allow(h.limits.signInAccount, strings.ToLower(f.Username)) {
		h.Log.Warn("sign-in rate limited", "user", f.Username, "ip", c.RealIP())
		f.Problem = "Too many attempts. Wait a minute, then try again."
		return render(c, http.StatusTooManyRequests, views.SignIn(f))
	}
	u, hash, err := h.Store.UserByName(ctx, f.Username)
	if errors.Is(err, db.ErrNotFound) {
		hash = dummyHash // take as long as for a real account
	} else if err != nil {
		return err
	}
	ok, err := checkPassword(hash, c.FormValue("password"))
	if err != nil {
		return err
	}
	if !ok || u.ID == 0 {
		f.Problem = "Wrong username or password."
		return render(c, http.StatusUnauthorized, views.SignIn(f))
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, or(f.Next, "/"))
}

// SignOut ends the session everywhere it is used: the cookie, the database
// row, and this person's open sockets (which then find themselves signed
// out and send the page to the sign-in form).
func (h *Handler) SignOut(c echo.Context) error {
	if hash, ok := c.Get(sessionKey).(string); ok {
		if err := h.Store.DeleteSession(c.Request().Context(), hash); err != nil {
			return err
		}
		u, _ := currentUser(c)
		h.closeSockets(func(s *socket) bool { return s.user.ID == u.ID }, errSignedOut)
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.SecureCookies})
	return c.Redirect(http.StatusSeeOther, "/signin")
}

// localPath returns p if it is a path on this site, else "": a ?next=
// parameter must not send anyone elsewhere after signing in.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return ""
	}
	return p
}

func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}
