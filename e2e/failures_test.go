package e2e

// Failures stay small: a burst faster than the send limit is paced, not
// turned into red retry forms; the composer counts down near the length
// limit; Enter on an empty composer does nothing.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/server"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// watchFailuresJS counts, from now on, every red retry form that enters the
// page (even one that left again at once), every frame the page sends on
// its socket, and every "please fill in this field" the composer raises.
const watchFailuresJS = `(() => {
	window.__failed = 0;
	window.__frames = 0;
	window.__invalid = 0;
	new MutationObserver((records) => {
		for (const r of records) for (const n of r.addedNodes) {
			if (n.nodeType === 1 && (n.matches(".failed, form.retry") || n.querySelector(".failed, form.retry"))) window.__failed++;
		}
	}).observe(document.body, { subtree: true, childList: true });
	const send = WebSocket.prototype.send;
	// Frames that carry messages: "typing" is not one.
	WebSocket.prototype.send = function (data) { if (!String(data).includes('"kind":"typing"')) window.__frames++; return send.call(this, data); };
	document.addEventListener("invalid", () => window.__invalid++, true);
})()`

func TestBrowserFailuresStaySmall(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	// The tests' server has no send limit unless told; this one has the
	// limit a deployment gets by default.
	app.stop(t)
	app.cfg.SendRate = server.DefaultSendRate
	app.start(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")
	a.signUp(t, home, a.username, a.username+"-password-123")
	a.waitFor(t, "the socket to connect", `document.body.dataset.ws === "connected"`, 10*time.Second)
	a.run(t, "watch for red forms, frames and validation complaints", chromedp.Evaluate(watchFailuresJS, nil))
	var sent []string

	step := steps(t, &[]*browser{a})

	step("burst_of_30_is_paced", func(t *testing.T) {
		// 30 at once, three times the burst the limit allows: each one's
		// text inserted and Enter pressed, nothing waited for in between.
		actions := []chromedp.Action{chromedp.Evaluate(`document.querySelector("#composer textarea").focus()`, nil)}
		for i := 1; i <= 30; i++ {
			msg := fmt.Sprintf("fast %02d/30", i)
			sent = append(sent, msg)
			actions = append(actions, input.InsertText(msg), pressEnter)
		}
		start := time.Now()
		a.run(t, "type 30 messages as fast as possible", actions...)
		t.Logf("typed 30 messages in %v", time.Since(start).Round(time.Millisecond))
		a.waitTexts(t, "all 30, once, in order", sent, 20*time.Second)
		a.waitPendingEmpty(t, 5*time.Second)
		t.Logf("all 30 stored and shown %v after the first", time.Since(start).Round(time.Millisecond))
		var failed int
		a.run(t, "count red forms", chromedp.Evaluate(`window.__failed`, &failed))
		if failed != 0 {
			t.Errorf("%d red retry forms appeared during the burst, want none", failed)
		}
		a.checkMessageMarkup(t)
	})

	step("enter_on_an_empty_composer_does_nothing", func(t *testing.T) {
		a.run(t, "reset the counts", chromedp.Evaluate(`window.__frames = 0; window.__invalid = 0`, nil))
		a.run(t, "Enter on the empty composer, then on blanks",
			chromedp.Evaluate(`document.querySelector("#composer textarea").focus()`, nil),
			pressEnter,
			input.InsertText("   "), pressEnter)
		time.Sleep(500 * time.Millisecond) // time for a frame or a pending copy, were there one
		var got struct {
			Frames, Invalid, Pending int
			Composer                 string
		}
		var raw string
		a.run(t, "read what happened", chromedp.Evaluate(`JSON.stringify({Frames: window.__frames, Invalid: window.__invalid,
			Pending: document.querySelectorAll("#pending > *").length, Composer: document.querySelector("#composer textarea").value})`, &raw))
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatal(err)
		}
		if got.Frames != 0 || got.Pending != 0 || got.Invalid != 0 || got.Composer != "   " {
			t.Errorf("Enter on an empty composer: %d frames, %d pending copies, %d validation complaints, composer %q; want none, and the blanks left as typed",
				got.Frames, got.Pending, got.Invalid, got.Composer)
		}
		// The same Enter with text sends it: the counting works.
		a.run(t, "clear the composer", chromedp.Evaluate(`document.querySelector("#composer textarea").value = ""`, nil))
		sent = append(sent, "after the blanks")
		a.sendAndSee(t, "a real message", "after the blanks", sent)
		a.run(t, "count frames", chromedp.Evaluate(`window.__frames`, &got.Frames))
		if got.Frames != 1 {
			t.Errorf("a message sent %d frames, want 1", got.Frames)
		}
	})

	step("counter_near_the_length_limit", func(t *testing.T) {
		counter := `document.querySelector("#composer output.counter")`
		set := func(n int) chromedp.Action {
			return chromedp.Evaluate(fmt.Sprintf(`(() => { const t = document.querySelector("#composer textarea"); t.focus(); t.value = %s; })()`,
				jsString(strings.Repeat("é", n-1))), nil)
		}
		a.run(t, "type 3,400 characters", set(3400), input.InsertText("a"))
		a.waitFor(t, "no counter far from the limit", counter+`.hidden`, 2*time.Second)
		a.run(t, "type up to 3,600", set(3600), input.InsertText("a"))
		a.waitFor(t, "the counter at 400 left", counter+`.checkVisibility() && `+counter+`.textContent.includes("400 characters left")`, 2*time.Second)
		a.run(t, "type up to 4,050", set(4050), input.InsertText("a"))
		a.waitFor(t, "the counter past the limit", counter+`.classList.contains("over") && `+counter+`.textContent.includes("50 over")`, 2*time.Second)
		// Too long still goes to the server, which says why and keeps it.
		a.run(t, "Enter", pressEnter)
		a.waitFor(t, "the inline error with the text", `document.querySelector("#pending .failed .problem")?.textContent.includes("4,050 characters long") &&
			document.querySelector("#pending .failed textarea")?.value.length === 4050`, 5*time.Second)
		a.waitFor(t, "the counter gone with the sent text", counter+`.hidden`, 2*time.Second)
	})
}
