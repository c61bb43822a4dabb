package handlers

import (
	"log/slog"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/charla/charla/db"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// RequestLog writes one line per request, like the original tutorial's
// morgan: method, path, status, latency. It logs the path without the query
// and no headers, so cookies and tokens never reach the log. A socket's line
// comes when it closes, its latency being how long it was open.
func RequestLog(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod:   true,
		LogURIPath:  true,
		LogStatus:   true,
		LogLatency:  true,
		LogRemoteIP: true,
		LogError:    true,
		HandleError: true, // let Echo's error handler set the status before we log it
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			attrs := []slog.Attr{
				slog.String("method", v.Method),
				slog.String("path", clip(v.URIPath)),
				slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency),
				slog.String("ip", v.RemoteIP),
			}
			level := slog.LevelInfo
			if v.Error != nil {
				attrs = append(attrs, slog.String("err", clipErr(v.Error.Error())))
				if v.Status >= 500 {
					level = slog.LevelError
				}
			}
			log.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		},
	})
}

// contentSecurityPolicy lets the page load only its own scripts, styles and
// socket: an injected <script> or inline handler cannot run even if some
// text escaped escaping.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

// strictTransportSecurity keeps browsers on HTTPS for a year once they
// have seen it over HTTPS.
const strictTransportSecurity = "max-age=31536000"

// SecurityHeaders sets the headers every response should carry. Pages are
// not kept by browsers or caches (Cache-Control: no-store): they show
// messages, which must not outlive signing out on a shared computer; the
// assets say otherwise for themselves (see server.immutable). secure tells
// whether the browser came over HTTPS, which HSTS then makes the rule.
func SecurityHeaders(secure func(echo.Context) bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Cache-Control", "no-store")
			if secure(c) {
				h.Set("Strict-Transport-Security", strictTransportSecurity)
			}
			return next(c)
		}
	}
}

// Request bodies: a form is a few short fields; the composer's form also
// carries a message of up to db.MaxMessageLen characters, each up to 4
// bytes and each byte percent-encoded as 3. A larger body is refused (413)
// before anything reads it.
const (
	formBodyLimit = 4 << 10
	sendBodyLimit = db.MaxMessageLen*utf8.UTFMax*3 + formBodyLimit
)

// sendRoute is the composer's plain-HTTP route, and editRoute the edit
// form's: the ones with a larger body.
const (
	sendRoute = "/rooms/:id/messages"
	editRoute = "/rooms/:id/messages/:mid/edit"
)

// BodyLimit refuses request bodies over formBodyLimit, or sendBodyLimit
// for a message sent over HTTP. It runs after routing, before anything
// (CSRF included) parses a form.
func BodyLimit() echo.MiddlewareFunc {
	form := middleware.BodyLimit(strconv.Itoa(formBodyLimit))
	send := middleware.BodyLimit(strconv.Itoa(sendBodyLimit))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		formNext, sendNext := form(next), send(next)
		return func(c echo.Context) error {
			if (c.Path() == sendRoute || c.Path() == editRoute) && c.Request().Method == http.MethodPost {
				return sendNext(c)
			}
			return formNext(c)
		}
	}
}

// What a value from a client (a path, a header, a name) may add to a log
// line, and an error that may quote one: enough to recognise, not enough
// to fill a disk.
const (
	maxLogValue = 64
	maxLogError = 256
)

// clip cuts a client's value for the log.
func clip(s string) string { return clipTo(s, maxLogValue) }

// clipErr cuts an error that may quote a client's value.
func clipErr(s string) string { return clipTo(s, maxLogError) }

func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// csrfField is the form field that carries the CSRF token.
const csrfField = "_csrf"

// CSRF guards every state-changing HTTP request: browsers that send
// Sec-Fetch-Site are checked by it, others by a token from a cookie that
// must come back in the form. The socket is guarded by its Origin check
// instead (see Socket), as frames carry no cookie of their own. The
// cookie is Secure when secure says the browser came over HTTPS.
func CSRF(secure func(echo.Context) bool) echo.MiddlewareFunc {
	plain, tls := csrf(false), csrf(true)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		plainNext, tlsNext := plain(next), tls(next)
		return func(c echo.Context) error {
			if secure(c) {
				return tlsNext(c)
			}
			return plainNext(c)
		}
	}
}

func csrf(secure bool) echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:" + csrfField,
		CookieName:     "charla_csrf",
		CookiePath:     "/",
		CookieMaxAge:   30 * 24 * 3600,
		CookieHTTPOnly: true,
		CookieSecure:   secure,
		CookieSameSite: http.SameSiteLaxMode,
	})
}

func csrfToken(c echo.Context) string {
	s, _ := c.Get("csrf").(string)
	return s
}
