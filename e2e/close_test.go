package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/chromedp/chromedp"
)

// TestBrowserMessageLostInTheCloseIsSentAgain: a frame that reaches the
// server after it sent its close (a graceful stop, a change of the person's
// rooms) is dropped unanswered (handlers' TestMessageSentDuringTheClose…
// shows it). The page keeps such a message as pending and sends it again,
// with its key, once the socket is back: it is stored, and shown, once.
//
// The drop is made certain here by swallowing the frame in the page, as if
// the server had dropped it; then the server restarts.
func TestBrowserMessageLostInTheCloseIsSentAgain(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")
	a.signUp(t, home, a.username, a.username+"-password-123")
	a.waitConnected(t)
	a.run(t, "swallow the next message frame the page sends", chromedp.Evaluate(`(() => {
		const send = WebSocket.prototype.send;
		window.__charlaSwallow = 1;
		WebSocket.prototype.send = function (data) {
			if (window.__charlaSwallow > 0 && !String(data).includes('"kind":"typing"')) { window.__charlaSwallow--; return; }
			return send.call(this, data);
		};
	})()`, nil))

	const msg = "sent as the server closed"
	a.typeAndEnter(t, msg)
	a.waitFor(t, "the message to wait as pending", `document.querySelector("#pending > .pending")?.dataset.body === `+jsString(msg)+` && window.__charlaSwallow === 0`, 5*time.Second)
	time.Sleep(500 * time.Millisecond)
	a.waitFor(t, "the message to be still pending: the server never got it", `document.querySelectorAll("#pending > .pending").length === 1`, time.Second)
	a.waitTexts(t, "no message stored", nil, time.Second)

	app.stop(t)
	app.start(t)
	a.waitFor(t, "the socket to reconnect", `document.body.dataset.ws === "connected"`, 15*time.Second)
	a.waitTexts(t, "the message, sent again, once", []string{msg}, 10*time.Second)
	a.waitPendingEmpty(t, 5*time.Second)
	a.checkConsole(t)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	store, err := db.Open(ctx, app.cfg.DatabaseURL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	stored, err := store.MessagesAfter(ctx, db.GeneralRoom, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || stored[0].Body != msg {
		t.Errorf("stored %+v, want the one message %q", stored, msg)
	}
}
