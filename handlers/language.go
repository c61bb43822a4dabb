package handlers

import (
	"bytes"
	"context"
	"strings"

	"github.com/a-h/templ"
	"github.com/charla/charla/i18n"
	"github.com/labstack/echo/v4"
)

// Which language a person reads (package i18n has the words): the one
// chosen in their settings (chat.User.Lang), else the one their browser
// prefers among English and Spanish (Accept-Language, q-values and all),
// else English. The request's context carries it, where the views'
// T(ctx, id) finds it.
//
// Language sets it from the browser for everyone, before anything can
// fail (a CSRF or size refusal is answered in the reader's language too);
// authenticate then puts the person's own choice over it.
func Language(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/static/") {
			return next(c)
		}
		setLang(c, i18n.Match(c.Request().Header.Get("Accept-Language")))
		// Pages are never cached (no-store), but say what they depend on.
		c.Response().Header().Add(echo.HeaderVary, "Accept-Language")
		return next(c)
	}
}

// langKey is the echo.Context key of the request's language. It is kept
// there as well as in the request's context, which Deadline swaps back
// before the error handler runs.
const langKey = "lang"

// setLang makes l the language of c's request and of its answer.
func setLang(c echo.Context, l i18n.Lang) {
	c.Set(langKey, l)
	r := c.Request()
	c.SetRequest(r.WithContext(i18n.WithLang(r.Context(), l)))
	c.Response().Header().Set("Content-Language", string(l))
}

// langOf is the language of c's request: the browser's, if nothing has
// decided yet.
func langOf(c echo.Context) i18n.Lang {
	if l, ok := c.Get(langKey).(i18n.Lang); ok {
		return l
	}
	return i18n.Match(c.Request().Header.Get("Accept-Language"))
}

// tr is a catalog message in the language of c's request.
func tr(c echo.Context, id string, args ...any) string {
	return i18n.In(langOf(c), id, args...)
}

// langCtx is a context speaking the socket owner's language, for the
// frames meant for that page alone (a failed send, its sidebar). Frames
// for a whole room are rendered once, with no language, and carry no
// words (see package i18n).
func (s *socket) langCtx() context.Context {
	return i18n.WithLang(context.Background(), s.lang)
}

// renderIn renders a frame for one page, in its reader's language.
func renderIn(ctx context.Context, c templ.Component) []byte {
	var b bytes.Buffer
	if err := c.Render(ctx, &b); err != nil {
		// Rendering plain values into a buffer cannot fail short of a bug.
		panic(err)
	}
	return b.Bytes()
}
