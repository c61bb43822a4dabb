package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/charla/charla/i18n"

	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

// noPage is what a browser is told for an address no route serves.
const noPage = "error.no-page"

// ErrorHandler answers errors as a small HTML page to browsers, and as
// Echo does to anything else. A 500's cause is logged, never shown. An
// echo.HTTPError's message is a catalog id (package i18n), shown in the
// reader's language. Echo's own middleware words theirs in English for a
// developer ("invalid csrf token"): the person reads the catalog's words
// for the status instead ("error.status-403"), where it has some.
func (h *Handler) ErrorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if clientGone(c.Request().Context(), err) {
		// The request log records it (at Info, with statusClientGone).
		c.NoContent(statusClientGone)
		return
	}
	status, message := http.StatusInternalServerError, "error.internal"
	var he *echo.HTTPError
	if errors.Is(err, echo.ErrNotFound) {
		// The router's own 404: no route has this path.
		status, message = http.StatusNotFound, noPage
	} else if errors.As(err, &he) {
		status = he.Code
		m, ok := he.Message.(string)
		switch {
		case ok && (i18n.Has(m) || (status < 500 && !i18n.Has(statusWords(status)))):
			message = m
		case status < 500 && i18n.Has(statusWords(status)):
			message = statusWords(status)
		case status < 500:
			message = statusText(c, status)
		}
	}
	if status >= 500 {
		h.Log.Error("request failed", "method", c.Request().Method, "path", clip(c.Request().URL.Path), "err", err)
	}
	if i18n.Has(message) {
		message = tr(c, message)
	}
	if !strings.Contains(c.Request().Header.Get("Accept"), "text/html") || c.Request().Method == http.MethodHead {
		c.Echo().DefaultHTTPErrorHandler(echo.NewHTTPError(status, message), c)
		return
	}
	render(c, status, views.ErrorPage(status, statusText(c, status), message))
}

// statusWords is the catalog id of what a status means to a person, when
// no more is known.
func statusWords(status int) string { return "error.status-" + strconv.Itoa(status) }

// statusText is the name of an HTTP status in the reader's language.
func statusText(c echo.Context, status int) string {
	if id := "http." + strconv.Itoa(status); i18n.Has(id) {
		return tr(c, id)
	}
	return http.StatusText(status)
}
