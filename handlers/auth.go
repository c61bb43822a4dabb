package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/i18n"
	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

const (
	sessionCookie = "charla_session"
	sessionTTL    = 30 * 24 * time.Hour
	inviteTTL     = 7 * 24 * time.Hour
	userKey       = "user"    // echo.Context key of the signed-in chat.User
	sessionKey    = "session" // echo.Context key of the session's token hash
)

// currentUser returns the signed-in person, if any.
func currentUser(c echo.Context) (chat.User, bool) {
	u, ok := c.Get(userKey).(chat.User)
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
		if l, ok := i18n.Parse(u.Lang); ok {
			setLang(c, l) // the person's choice over the browser's
		}
		return next(c)
	}
}

// requireUser sends a signed-out visitor to the sign-in page, and back
// here afterwards.
func requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := currentUser(c); !ok {
			if c.Request().Method != http.MethodGet {
				return echo.NewHTTPError(http.StatusUnauthorized, "error.sign-in-first")
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
func (h *Handler) startSession(c echo.Context, u chat.User) error {
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
		Secure:   h.secure(c),
		SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// secure reports whether the browser reached us over HTTPS: COOKIE_SECURE
// says so for every request, TLS for this one, or a trusted proxy in front
// says so in X-Forwarded-Proto. Anyone else's X-Forwarded-Proto is
// ignored, as anyone can send it.
func (h *Handler) secure(c echo.Context) bool {
	r := c.Request()
	return h.SecureCookies || c.IsTLS() ||
		(r.Header.Get(echo.HeaderXForwardedProto) == "https" && h.fromTrustedProxy(r))
}

// fromTrustedProxy reports whether r's connection comes from one of the
// TrustedProxies.
func (h *Handler) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && slices.ContainsFunc(h.TrustedProxies, func(n *net.IPNet) bool { return n.Contains(ip) })
}

// busyRetryAfter is the Retry-After (seconds) of a "busy" answer.
const busyRetryAfter = "2"

// busyProblem is what a sign-up or sign-in that found no hashing slot in
// time is told, with its form again (see busy): a catalog id.
const busyProblem = "problem.busy"

// busy answers 503 with form, and when to come back.
func busy(c echo.Context, form templ.Component) error {
	c.Response().Header().Set("Retry-After", busyRetryAfter)
	return render(c, http.StatusServiceUnavailable, form)
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
		f.Problem = tr(c, problem)
		return render(c, status, views.SignUp(f))
	}
	switch n := utf8.RuneCountInString(password); {
	case !db.ValidUsername(f.Username):
		f.Username = "" // not worth showing again, and perhaps huge
		return fail(http.StatusUnprocessableEntity, "problem.username")
	case n < minPasswordLen || n > maxPasswordLen:
		return fail(http.StatusUnprocessableEntity, "problem.password")
	}
	if !allowShared(c.Request().Context(), h.limits.signUp, c.RealIP()) {
		h.Log.Warn("sign-up rate limited", "ip", clip(c.RealIP()))
		return fail(http.StatusTooManyRequests, "problem.signup-rate")
	}
	// A taken name is answered before the costly hash (a race to the
	// same name is still caught by CreateUser).
	if _, _, err := h.Store.UserByName(ctx, f.Username); err == nil {
		return fail(http.StatusConflict, "problem.username-taken")
	} else if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	inviteHash := ""
	inviteNeeded, err := h.inviteNeeded(c)
	if err != nil {
		return err
	}
	if inviteNeeded {
		inviteHash = hashToken(f.Invite)
		if err := h.Store.ClaimInvite(ctx, inviteHash); errors.Is(err, db.ErrNotFound) {
			return fail(http.StatusForbidden, "problem.invite-unknown")
		} else if err != nil {
			return err
		}
	}
	hash, err := h.hasher.hash(ctx, password)
	var u chat.User
	if err == nil {
		u, err = h.Store.CreateUser(ctx, f.Username, hash)
	}
	if err != nil && inviteHash != "" {
		h.Store.ReleaseInvite(ctx, inviteHash)
	}
	switch {
	case errors.Is(err, errBusy):
		f.Problem = tr(c, busyProblem)
		return busy(c, views.SignUp(f))
	case errors.Is(err, db.ErrTaken):
		return fail(http.StatusConflict, "problem.username-taken")
	case err != nil:
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

// SignIn checks a username and password. Attempts are limited per address,
// and per account from each address (so that guessing from elsewhere does
// not lock the owner out), whether they succeed or not.
func (h *Handler) SignIn(c echo.Context) error {
	f := h.authForm(c)
	f.Username = strings.TrimSpace(c.FormValue("username"))
	fail := func(status int, problem string) error {
		f.Problem = tr(c, problem)
		return render(c, status, views.SignIn(f))
	}
	ip := c.RealIP()
	if !allowShared(c.Request().Context(), h.limits.signInIP, ip) {
		h.Log.Warn("sign-in rate limited", "ip", clip(ip))
		return fail(http.StatusTooManyRequests, "problem.signin-rate")
	}
	if !db.ValidUsername(f.Username) {
		// No account can have this name: nothing to hash, and nothing
		// for a limiter to keep (it could be megabytes).
		f.Username = ""
		return fail(http.StatusUnauthorized, "problem.wrong-password")
	}
	if !allowShared(c.Request().Context(), h.limits.signInAccount, db.UsernameKey(f.Username)+" "+ip) {
		h.Log.Warn("sign-in rate limited", "user", f.Username, "ip", clip(ip))
		return fail(http.StatusTooManyRequests, "problem.signin-rate")
	}
	u, hash, err := h.Store.UserByName(c.Request().Context(), f.Username)
	if errors.Is(err, db.ErrNotFound) {
		hash = dummyHash // take as long as for a real account
	} else if err != nil {
		return err
	}
	ok, err := h.hasher.check(c.Request().Context(), hash, c.FormValue("password"))
	if errors.Is(err, errBusy) {
		f.Problem = tr(c, busyProblem)
		return busy(c, views.SignIn(f))
	} else if err != nil {
		return err
	}
	// A deactivated account gets the same answer as a wrong password,
	// after the same work: nobody learns which accounts exist.
	if !ok || u.ID == 0 || u.Deactivated {
		return fail(http.StatusUnauthorized, "problem.wrong-password")
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
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.secure(c)})
	return c.Redirect(http.StatusSeeOther, "/signin")
}

// localPath returns p if it is a path on this site, else "": a ?next=
// parameter must not send anyone elsewhere after signing in. Browsers
// drop tabs and newlines from a URL and read "\" as "/", so "/\t/evil" is
// "//evil", another host: a control character, raw or percent-encoded,
// refuses the path, as does a start that reads as "//" once decoded.
func localPath(p string) string {
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return ""
	}
	decoded, err := url.PathUnescape(p)
	if err != nil || !strings.HasPrefix(p, "/") || strings.ContainsFunc(decoded, unicode.IsControl) {
		return ""
	}
	for _, s := range []string{p, decoded} {
		if strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
			return ""
		}
	}
	return p
}

func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}
