package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/charla/charla/static"
	"github.com/labstack/echo/v4"
)

func TestOnlyFoundAssetsAreCachedForGood(t *testing.T) {
	e := echo.New()
	e.Group("/static", immutable).StaticFS("/", static.FS)
	for _, tc := range []struct {
		path      string
		status    int
		immutable bool
	}{
		{"/static/charla.css", http.StatusOK, true},
		{"/static/no-such-file.css", http.StatusNotFound, false},
	} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		cc := rec.Header().Get("Cache-Control")
		if rec.Code != tc.status || strings.Contains(cc, "immutable") != tc.immutable {
			t.Errorf("GET %s: %d, Cache-Control %q; want %d, cached for good: %v", tc.path, rec.Code, cc, tc.status, tc.immutable)
		}
	}
}
