package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

// noPage is what a browser is told for an address no route serves.
const noPage = "No page here: nothing lives at this address."

// ErrorHandler answers errors as a small HTML page to browsers, and as
// Echo does to anything else. A 500's cause is logged, never shown.
func (h *Handler) ErrorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if clientGone(c.Request().Context(), err) {
		// The request log records it (at Info, with statusClientGone).
		c.NoContent(statusClientGone)
		return
	}
	status, message := http.StatusInternalServerError, "Something went wrong on our side. Try again in a moment."
	var he *echo.HTTPError
	if errors.Is(err, echo.ErrNotFound) {
		// The router's own 404: no route has this path.
		status, message = http.StatusNotFound, noPage
	} else if errors.As(err, &he) {
		status = he.Code
		if m, ok := he.Message.(string); ok && (status < 500 || m == dbUnavailable) {
			message = m
		} else if status < 500 {
			message = http.StatusText(status)
		}
	}
	if status >= 500 {
		h.Log.Error("request failed", "method", c.Request().Method, "path", clip(c.Request().URL.Path), "err", err)
	}
	if !strings.Contains(c.Request().Header.Get("Accept"), "text/html") || c.Request().Method == http.MethodHead {
		c.Echo().DefaultHTTPErrorHandler(echo.NewHTTPError(status, message), c)
		return
	}
	render(c, status, views.ErrorPage(status, http.StatusText(status), message))
}
