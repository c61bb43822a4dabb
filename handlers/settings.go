package handlers

import (
	"net/http"

	"github.com/charla/charla/i18n"
	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

// settingsPath is the person's settings page, and its form's address.
const settingsPath = "/settings"

// SettingsPage shows the person's settings (the language they read in).
// ?saved=1 is where a saved form lands (post/redirect/get): it says so.
func (h *Handler) SettingsPage(c echo.Context) error {
	return h.settingsPage(c, http.StatusOK, c.QueryParam("saved") == "1", "")
}

func (h *Handler) settingsPage(c echo.Context, status int, saved bool, problem string) error {
	u, _ := currentUser(c)
	if problem != "" {
		problem = tr(c, problem)
	}
	return render(c, status, views.Settings(views.SettingsPage{
		CSRF:    csrfToken(c),
		Lang:    u.Lang,
		Browser: i18n.Match(c.Request().Header.Get("Accept-Language")),
		Saved:   saved,
		Problem: problem,
	}))
}

// SaveSettings stores the person's language: one of i18n.Supported, or ""
// to follow the browser's. Their other pages take it at their next load.
func (h *Handler) SaveSettings(c echo.Context) error {
	u, _ := currentUser(c)
	lang := c.FormValue("lang")
	if _, ok := i18n.Parse(lang); !ok && lang != "" {
		return h.settingsPage(c, http.StatusUnprocessableEntity, false, "problem.bad-language")
	}
	if err := h.Store.SetLanguage(c.Request().Context(), u.ID, lang); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, settingsPath+"?saved=1")
}
