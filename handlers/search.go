package handlers

import (
	"net/http"
	"strconv"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/search"
	"github.com/charla/charla/views"
	"github.com/labstack/echo/v4"
)

// searchTooFast is what the page says past the search limit (a catalog id).
const searchTooFast = "problem.search-rate"

// SearchPage answers GET /search?q=…[&before=ID]: a page of the newest
// messages the query finds in the rooms the person is a member of (the
// store decides which, see db.Search), older pages by message id.
func (h *Handler) SearchPage(c echo.Context) error {
	before, err := optionalID(c.QueryParam("before"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "error.bad-before")
	}
	// search.Parse bounds the query (length, terms) before the store sees it.
	q := search.Parse(c.QueryParam("q"))
	u, _ := currentUser(c)
	if len(q.Terms) > 0 && !allow(h.limits.search, strconv.FormatInt(u.ID, 10)) {
		c.Response().Header().Set("Retry-After", "1")
		return echo.NewHTTPError(http.StatusTooManyRequests, searchTooFast)
	}
	shell, err := h.roomPage(c, chat.Room{}, false, 0)
	if err != nil {
		return err
	}
	page := views.SearchPage{RoomPage: shell, Query: q, Labels: make(map[int64]string, len(shell.Rooms))}
	for _, r := range shell.Rooms {
		page.Labels[r.ID] = views.RoomLabel(r.Room, r.Peer)
	}
	res, err := h.Store.Search(c.Request().Context(), u.ID, q, before, db.SearchPageSize)
	if err != nil {
		return err
	}
	page.Hits, page.More, page.Partial = res.Hits, res.More, res.Partial
	return render(c, http.StatusOK, views.Search(page))
}

// withNewer adds up to half a page of the messages after message at to an
// archive page that ends at it: a page around a message, which is where a
// search result leads (/rooms/ID?at=MSG#msg-MSG, the message marked as the
// URL's target), as the room's newest page may not hold it.
func (h *Handler) withNewer(c echo.Context, page *views.RoomPage, at int64) error {
	newer, err := h.Store.MessagesAfter(c.Request().Context(), page.Room.ID, at, db.PageSize/2)
	if err != nil {
		return err
	}
	page.Messages = append(page.Messages, newer...)
	return nil
}
