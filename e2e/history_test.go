package e2e

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/chromedp/chromedp"
)

// TestBrowserScrollingUpLoadsOlderHistory: #general holds more history than
// a page (130 messages, seeded into the database), so the page shows the
// newest 50 under a link to older ones; scrolling up to the top of the log
// loads the page before, in place, until the start of the conversation.
func TestBrowserScrollingUpLoadsOlderHistory(t *testing.T) {
	started := time.Now()
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")

	a.signUp(t, home, a.username, a.username+"-password-123")
	a.waitConnected(t)
	a.waitTexts(t, "an empty room", nil, time.Second)
	a.checkConsole(t)

	// The history goes straight into the database, next to the running
	// server (WAL lets both connections write and read).
	const total = 130
	seeded := make([]string, total)
	msgs := make([]db.NewMessage, total)
	for i := range total {
		seeded[i] = fmt.Sprintf("seed %03d", i)
		msgs[i] = db.NewMessage{RoomID: db.GeneralRoom, Key: fmt.Sprintf("seed-key-%04d", i), Author: "seeder", Body: seeded[i]}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	store, err := db.Open(ctx, app.cfg.DatabaseURL, "")
	if err != nil {
		t.Fatalf("open the database to seed it: %v", err)
	}
	stored, err := store.CreateMessages(ctx, msgs)
	if cerr := store.Close(); cerr != nil {
		t.Errorf("close the seeding connection: %v", cerr)
	}
	if err != nil {
		t.Fatalf("seed %d messages: %v", total, err)
	}
	ids := make([]string, 0, total) // the stored ids, oldest first: what data-id must say
	for i, s := range stored {
		if !s.Created || s.Message.Body != seeded[i] {
			t.Fatalf("seed: message %d stored as %+v", i, s)
		}
		ids = append(ids, strconv.FormatInt(s.Message.ID, 10))
	}
	if len(ids) != total {
		t.Fatalf("seed: %d messages stored, want %d", len(ids), total)
	}

	a.run(t, "reload", chromedp.Reload())
	newest := seeded[total-db.PageSize:]
	a.waitTexts(t, "the newest page, rendered by the server", newest, 2*time.Second)
	a.waitConnected(t)
	a.waitFor(t, "a link to the older messages above them",
		`(() => {
			const o = document.getElementById("older");
			return o?.tagName === "A" && o.getAttribute("hx-trigger") === "intersect" &&
				o.getAttribute("hx-get") === "/rooms/1/messages?before=" + document.querySelector("#messages > article.msg").dataset.id;
		})()`, time.Second)
	var view string
	a.run(t, "read the scroll position", chromedp.Evaluate(scrollStateJS, &view))
	t.Logf("after the reload: %s", view)
	// Nothing loads by itself while the person stays at the bottom.
	time.Sleep(300 * time.Millisecond)
	a.waitTexts(t, "still the newest page, at the bottom", newest, time.Second)
	a.checkConsole(t)

	// pageIn waits until #messages reads want, without failing: false when
	// it did not in time. More messages than wanted is a failure at once.
	pageIn := func(want []string, timeout time.Duration) bool {
		t.Helper()
		deadline := time.Now().Add(timeout)
		for {
			got, err := a.texts()
			if err == nil && slices.Equal(got, want) {
				return true
			}
			if err == nil && len(got) > len(want) {
				t.Fatalf("A: waiting for %d messages, #messages reads\n%s\nwant\n%s; page: %s", len(want), listing(got), listing(want), a.describe())
			}
			if time.Now().After(deadline) {
				t.Logf("A: after %v, #messages reads %d messages, not the %d wanted (last error: %v)", timeout, len(got), len(want), err)
				return false
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// scrollUp scrolls the log to the very top, as far as it goes, and waits
	// for the page before to load; if it does not, it clicks the link, to
	// tell a trigger that never fired from a load that does not work.
	scrollUp := func(what string, want []string) {
		t.Helper()
		var view string
		a.run(t, "scroll the log to the very top", chromedp.Evaluate(`(() => {
			const el = document.querySelector(".scroller");
			el.scrollTop = -el.scrollHeight;
		})()`+"; "+scrollStateJS, &view))
		t.Logf("scrolled to the top for %s: %s", what, view)
		loadStart := time.Now()
		if pageIn(want, 3*time.Second) {
			t.Logf("scrolling up loaded %s in %v", what, time.Since(loadStart).Round(time.Millisecond))
			return
		}
		a.run(t, "read the scroll position", chromedp.Evaluate(scrollStateJS, &view))
		t.Errorf("A: scrolling to the top of the log did not load %s: #older's intersect trigger did not fire (%s); trying a click", what, view)
		a.run(t, "click the link to older messages", chromedp.Click(`#older`, chromedp.ByQuery))
		if pageIn(want, 3*time.Second) {
			t.Errorf("A: clicking #older loaded %s where scrolling up did not: the page does not load older messages on scroll", what)
			return
		}
		t.Fatalf("A: neither scrolling up nor clicking #older loaded %s; page: %s", what, a.describe())
	}

	scrollUp("the second page (seed 030 … seed 129)", seeded[total-2*db.PageSize:])
	// The view stays where the person was reading, and the next link, now
	// out of sight above, waits for them to scroll up again.
	a.run(t, "read the scroll position", chromedp.Evaluate(scrollStateJS, &view))
	t.Logf("after the second page loaded: %s", view)
	time.Sleep(500 * time.Millisecond)
	a.waitTexts(t, "still two pages, until the person scrolls up again", seeded[total-2*db.PageSize:], time.Second)
	a.waitFor(t, "a link to the page before that", `(() => {
		const o = document.getElementById("older");
		return o?.tagName === "A" && o.getAttribute("hx-trigger") === "intersect" &&
			o.getAttribute("hx-get") === "/rooms/1/messages?before=" + document.querySelector("#messages > article.msg").dataset.id;
	})()`, time.Second)
	a.checkConsole(t)

	scrollUp("the oldest page (seed 000 … seed 129)", seeded)
	a.waitFor(t, "#older to say this is the start",
		`document.getElementById("older")?.textContent.trim() === "This is the start of the conversation." && !document.querySelector("a#older") && document.querySelectorAll(".older").length === 1`, time.Second)

	// Nothing more loads, nothing is doubled, and each message keeps its id.
	time.Sleep(300 * time.Millisecond)
	a.waitTexts(t, "the whole history, once each, in order", seeded, time.Second)
	a.checkMessageMarkup(t)
	var gotIDs []string
	a.run(t, "read the data-ids", chromedp.Evaluate(`Array.from(document.querySelectorAll("#messages article.msg"), (m) => m.dataset.id)`, &gotIDs))
	if !slices.Equal(gotIDs, ids) {
		t.Errorf("A: #messages' data-ids are %q, want the stored ids %q", gotIDs, ids)
	}
	a.checkAuthors(t, repeat("seeder", total))
	a.waitFor(t, "the socket to stay connected", `document.body.dataset.ws === "connected"`, time.Second)

	// Each older page was fetched once.
	var fetched []string
	a.run(t, "list the history requests", chromedp.Evaluate(`performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname + new URL(e.name).search).filter((u) => u.includes("/messages?before="))`, &fetched))
	t.Logf("history requests: %q", fetched)
	wantFetched := []string{"/rooms/1/messages?before=" + ids[total-db.PageSize], "/rooms/1/messages?before=" + ids[total-2*db.PageSize]}
	if !slices.Equal(fetched, wantFetched) {
		t.Errorf("A: the page fetched %q, want each older page once: %q", fetched, wantFetched)
	}
	a.screenshot(t)
	a.checkConsole(t)
	t.Logf("the test took %v", time.Since(started).Round(time.Millisecond))
}

// scrollStateJS describes the log's scroll position and where #older is.
const scrollStateJS = `(() => {
	const el = document.querySelector(".scroller"), o = document.getElementById("older");
	const s = el.getBoundingClientRect(), r = o?.getBoundingClientRect();
	return JSON.stringify({
		scrollTop: el.scrollTop, scrollHeight: el.scrollHeight, clientHeight: el.clientHeight,
		older: o ? o.tagName + " " + JSON.stringify(o.textContent.trim()) : null,
		olderInView: !!r && r.bottom > s.top && r.top < s.bottom,
		messages: document.querySelectorAll("#messages article.msg").length,
	});
})()`
