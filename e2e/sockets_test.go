package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
)

// What charla.js does with the socket limits, in a real browser: a page
// that missed more than the replay cap reloads to the newest page, and the
// oldest of too many sockets says so and stays closed (no reconnect loop).
func TestBrowserSocketLimits(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	app.stop(t) // before any browser, so none holds a connection
	app.cfg.MaxSockets = 1
	app.start(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")
	a.signUp(t, home, a.username, a.username+"-password-123")
	a.waitConnected(t)

	t.Run("TooFarBehindReloadsToTheNewestPage", func(t *testing.T) {
		// The page holds no message; more than the replay cap are stored
		// behind the server's back, then the page's socket is made to
		// reconnect (creating a room renews the person's sockets), and it
		// asks for everything after 0.
		a.run(t, "set the no-reload marker", chromedp.Evaluate(`window.__charlaMarker = 1`, nil))
		const n = 1001
		store, err := db.Open(t.Context(), app.cfg.DatabaseURL, "")
		if err != nil {
			t.Fatal(err)
		}
		var batch []db.NewMessage
		for i := range n {
			batch = append(batch, db.NewMessage{RoomID: db.GeneralRoom, Key: fmt.Sprintf("missed-%08d", i), Author: "seeder", Body: fmt.Sprintf("missed %d", i)})
		}
		_, err = store.CreateMessages(t.Context(), batch)
		store.Close()
		if err != nil {
			t.Fatal(err)
		}
		a.run(t, "create a room from the page, which renews its socket", chromedp.Evaluate(`fetch("/rooms", {method: "POST", body: new URLSearchParams({
			_csrf: document.querySelector('input[name="_csrf"]').value, name: "elsewhere", kind: "public"})}); 1`, nil))
		a.waitFor(t, "the page to reload and connect", `window.__charlaMarker === undefined && document.body.dataset.ws === "connected"`, 30*time.Second)
		texts, err := a.texts()
		if err != nil || len(texts) != db.PageSize || texts[len(texts)-1] != fmt.Sprintf("missed %d", n-1) {
			t.Fatalf("after the reload: %d messages ending %q (%v); want the newest page of %d", len(texts), texts[len(texts)-1:], err, db.PageSize)
		}
		a.checkConsole(t)
	})

	t.Run("OldestOfTooManySocketsStaysClosed", func(t *testing.T) {
		// A second socket of ana's (another tab) makes the page's the oldest.
		var cookies []*network.Cookie
		a.run(t, "read the cookies", chromedp.ActionFunc(func(ctx context.Context) (err error) {
			cookies, err = network.GetCookies().Do(ctx)
			return err
		}))
		var header []string
		for _, c := range cookies {
			header = append(header, c.Name+"="+c.Value)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		other, _, err := websocket.Dial(ctx, "ws://"+app.cfg.Addr+"/rooms/1/ws", &websocket.DialOptions{
			HTTPHeader: http.Header{"Origin": {home[:len(home)-1]}, "Cookie": {strings.Join(header, "; ")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer other.CloseNow()
		a.waitFor(t, "the page to say it is open in too many tabs",
			`document.body.dataset.ws === "closed" && document.getElementById("status").textContent.includes("too many tabs")`, 10*time.Second)
		time.Sleep(2 * time.Second)
		a.waitFor(t, "the page to stay closed (no reconnect)", `document.body.dataset.ws === "closed"`, time.Second)
		if _, b, err := other.Read(ctx); err != nil || !strings.Contains(string(b), `id="rooms"`) {
			t.Fatalf("the newer socket: %.100q, %v; want it open, with its room list", b, err)
		}
		a.checkConsole(t)
	})
}
