package main

// End-to-end test in real browsers: people, each in their own headless
// Chromium, sign up through the form and chat through the app served
// in-process: through a burst of messages, a reload and a server restart in
// #general, then in a private room that a third person must not see.
//
// It needs Chromium (/usr/bin/chromium or "chromium" on PATH). Without it the
// test is skipped, unless CHARLA_E2E=1 (as in CI), which makes it fail.
// CHARLA_E2E_LOG=1 also logs the server's info lines (requests, sockets).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// e2eCookieSecret is fixed so that cookies stay valid across the restart.
const e2eCookieSecret = "charla-e2e-cookie-secret-0123456789abcdef"

func TestBrowserTwoPeopleChatAndRecover(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")
	b := newBrowser(t, chromium, "B", "bruno")
	people := []*browser{a, b} // whose consoles each step checks (C joins later)
	var sent []string          // every message sent in #general, in order: what its pages must show
	var private []string       // every message sent in the private room, in order
	var secretID string        // the private room's id
	const secretName = "secret-plans"

	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		ok := t.Run(name, func(t *testing.T) {
			start := time.Now()
			f(t)
			for _, p := range people {
				p.checkConsole(t)
			}
			t.Logf("step took %v", time.Since(start).Round(time.Millisecond))
		})
		if !ok {
			t.FailNow() // later steps build on this one
		}
	}

	step("1_both_sign_up_and_open_general", func(t *testing.T) {
		for _, p := range []*browser{a, b} {
			p.signUp(t, home, p.username, p.username+"-password-123")
			p.waitFor(t, "the socket to connect", `document.body.dataset.ws === "connected"`, 10*time.Second)
			p.waitFor(t, "the status to say connected", `document.getElementById("status").textContent.trim() === "connected"`, time.Second)
			p.run(t, "set the no-reload marker", chromedp.Evaluate(`window.__charlaMarker = 1`, nil))
			p.waitTexts(t, "an empty room", nil, time.Second)
		}
	})

	step("2_A_sends_B_receives", func(t *testing.T) {
		msg := "Hello B, this is A. ¿Qué tal? 👋"
		a.typeAndEnter(t, msg)
		sent = append(sent, msg)
		b.waitTexts(t, "A's first message", sent, 5*time.Second)
		a.waitTexts(t, "A's own first message", sent, 5*time.Second)
		a.waitPendingEmpty(t, 5*time.Second)
		a.waitFor(t, "the composer to be empty", `document.querySelector("#composer textarea").value === ""`, time.Second)
		for _, p := range []*browser{a, b} {
			p.checkMessageMarkup(t)
			p.checkAuthors(t, repeat(a.username, len(sent)))
		}
	})

	step("3_A_types_twenty_fast", func(t *testing.T) {
		var burst []string
		var keys []chromedp.Action
		for i := 1; i <= 20; i++ {
			msg := fmt.Sprintf("burst %02d/20: quick brown fox #%d", i, i*7)
			burst = append(burst, msg)
			keys = append(keys, chromedp.SendKeys(`#composer textarea`, msg, chromedp.ByQuery), pressEnter)
		}
		start := time.Now()
		a.run(t, "type 20 messages back to back", keys...)
		t.Logf("A typed 20 messages in %v", time.Since(start).Round(time.Millisecond))
		sent = append(sent, burst...)
		b.waitTexts(t, "the 20 burst messages", sent, 10*time.Second)
		a.waitTexts(t, "A's own 20 burst messages", sent, 10*time.Second)
		a.waitPendingEmpty(t, 5*time.Second)
		a.waitFor(t, "the composer to be empty", `document.querySelector("#composer textarea").value === ""`, time.Second)
		for _, p := range []*browser{a, b} {
			p.checkNotReloaded(t)
			p.checkMessageMarkup(t)
		}
	})

	step("4_B_reloads_and_sees_history", func(t *testing.T) {
		b.run(t, "reload", chromedp.Reload())
		// The history is in the HTML the server rendered: the socket was
		// opened with ?after=<newest id>, so it replayed nothing.
		var socketURL, newest string
		b.run(t, "read the page's socket URL",
			chromedp.Evaluate(`document.getElementById("chat").getAttribute("hx-ws:connect")`, &socketURL),
			chromedp.Evaluate(`document.querySelector("#messages > article.msg:last-child")?.dataset.id ?? ""`, &newest))
		if want := "/rooms/1/ws?after=" + newest; newest == "" || socketURL != want {
			t.Errorf("B after reload: socket URL %q, want %q (history rendered by the server)", socketURL, want)
		}
		b.waitTexts(t, "the 21 messages rendered from the database", sent, time.Second)
		b.waitFor(t, "the socket to connect", `document.body.dataset.ws === "connected"`, 10*time.Second)
		b.run(t, "set the no-reload marker", chromedp.Evaluate(`window.__charlaMarker = 1`, nil))
		b.checkMessageMarkup(t)
		b.checkAuthors(t, repeat(a.username, len(sent)))
	})

	step("5_server_restarts_while_A_types", func(t *testing.T) {
		app.stop(t)
		for _, p := range []*browser{a, b} {
			p.waitFor(t, "the page to notice the server is gone", `document.body.dataset.ws !== "connected"`, 5*time.Second)
		}
		// Stay down until each page has failed to reconnect at least once,
		// as in a real restart, so that hx-ws's retry path is taken.
		for _, p := range []*browser{a, b} {
			p.waitWSFailure(t, 5*time.Second)
		}
		away := []string{"sent while the server was down (1/2)", "sent while the server was down (2/2)"}
		for _, msg := range away {
			a.typeAndEnter(t, msg)
		}
		// Both wait as pending, in order, and the composer is free again.
		a.waitFor(t, "both to show as pending", `JSON.stringify(Array.from(document.querySelectorAll("#pending > .pending"), p => p.dataset.body)) === `+jsString(mustJSON(away)), 2*time.Second)
		a.waitFor(t, "the composer to be empty", `document.querySelector("#composer textarea").value === ""`, time.Second)

		app.start(t)
		restarted := time.Now()
		for _, p := range []*browser{a, b} {
			p.waitFor(t, "the socket to reconnect after the restart", `document.body.dataset.ws === "connected"`, 15*time.Second)
		}
		t.Logf("both pages reconnected %v after the server was back", time.Since(restarted).Round(time.Millisecond))
		sent = append(sent, away...)
		b.waitTexts(t, "the messages sent while the server was down", sent, 10*time.Second)
		a.waitTexts(t, "A's messages sent while the server was down", sent, 10*time.Second)
		a.waitPendingEmpty(t, 5*time.Second)
		for _, p := range []*browser{a, b} {
			p.checkNotReloaded(t)
			p.checkMessageMarkup(t)
			p.checkAuthors(t, repeat(a.username, len(sent)))
		}
	})

	step("6_markup_is_shown_as_text", func(t *testing.T) {
		msg := `<img src=x onerror=alert(1)><script>alert(2)</script>`
		a.typeAndEnter(t, msg)
		sent = append(sent, msg)
		for _, p := range []*browser{b, a} {
			p.waitTexts(t, "the markup message, as text", sent, 5*time.Second)
			p.checkNoMarkupInMessages(t)
		}
		a.waitPendingEmpty(t, 5*time.Second)
	})

	step("7_A_creates_a_private_room", func(t *testing.T) {
		form := `form.new-room`
		a.run(t, "type the room's name and pick private",
			chromedp.SendKeys(form+` input[name="name"]`, secretName, chromedp.ByQuery),
			chromedp.SendKeys(form+` select[name="kind"]`, "private", chromedp.ByQuery)) // type-ahead, as on a keyboard
		var kind string
		a.run(t, "read the kind picked", chromedp.Value(form+` select[name="kind"]`, &kind, chromedp.ByQuery))
		if kind != "private" {
			t.Fatalf("A: typing \"private\" into the kind select picked %q; page: %s", kind, a.describe())
		}
		a.clickThrough(t, "click Create", form+` button[type="submit"]`,
			`/^\/rooms\/\d+$/.test(location.pathname) && location.pathname !== "/rooms/1"`, 5*time.Second)
		a.run(t, "read the room's id", chromedp.Evaluate(`location.pathname.slice("/rooms/".length)`, &secretID))
		a.waitFor(t, "the header to name the private room",
			`document.querySelector(".top .room")?.textContent.trim() === `+jsString("#"+secretName)+
				` && document.querySelector(".top .kind")?.textContent.trim() === "private"`, time.Second)
		a.waitFor(t, "the sidebar to list it as current",
			`document.querySelector('nav#rooms li.current a[href="/rooms/`+secretID+`"]')?.textContent.trim() === `+jsString("#"+secretName), time.Second)
		a.waitFor(t, "the socket to connect", `document.body.dataset.ws === "connected"`, 10*time.Second)
		a.waitTexts(t, "an empty private room", nil, time.Second)
		a.run(t, "set the no-reload marker", chromedp.Evaluate(`window.__charlaMarker = 1`, nil))
		t.Logf("the private room is /rooms/%s", secretID)
	})

	step("8_A_adds_B_whose_sidebar_shows_it_live", func(t *testing.T) {
		link := `nav#rooms a[href="/rooms/` + secretID + `"]`
		var before bool
		b.run(t, "look for the room in B's sidebar", chromedp.Evaluate(`!!document.querySelector(`+jsString(link)+`)`, &before))
		if before {
			t.Fatalf("B's sidebar lists the private room before B was added; page: %s", b.describe())
		}
		form := `form.add-member`
		a.run(t, "type B's username", chromedp.SendKeys(form+` input[name="username"]`, b.username, chromedp.ByQuery))
		a.clickThrough(t, "click Add", form+` button[type="submit"]`,
			`location.pathname === "/rooms/`+secretID+`" && !document.querySelector(".problem")`, 5*time.Second)
		a.waitFor(t, "the socket to connect", `document.body.dataset.ws === "connected"`, 10*time.Second)
		a.run(t, "set the no-reload marker", chromedp.Evaluate(`window.__charlaMarker = 1`, nil))

		// The server closed B's socket (1012); the reconnect brings the
		// sidebar anew, out of band: no reload.
		added := time.Now()
		b.waitFor(t, "the private room to appear in the sidebar, live",
			`document.querySelector(`+jsString(link)+`)?.textContent.trim() === `+jsString("#"+secretName), 10*time.Second)
		t.Logf("B's sidebar showed the room %v after A added B", time.Since(added).Round(time.Millisecond))
		b.waitFor(t, "the socket to be connected", `document.body.dataset.ws === "connected"`, 10*time.Second)
		b.checkNotReloaded(t)
		b.waitTexts(t, "#general as it was", sent, time.Second)
		b.waitFor(t, "no unread count for the room yet", `document.getElementById("unread-`+secretID+`")?.textContent.trim() === ""`, time.Second)
	})

	step("9_A_and_B_talk_in_private", func(t *testing.T) {
		b.clickThrough(t, "click the private room in the sidebar", `nav#rooms a[href="/rooms/`+secretID+`"]`,
			`location.pathname === "/rooms/`+secretID+`"`, 5*time.Second)
		b.waitFor(t, "the header to name the private room",
			`document.querySelector(".top .room")?.textContent.trim() === `+jsString("#"+secretName)+
				` && document.querySelector(".top .kind")?.textContent.trim() === "private"`, time.Second)
		b.waitFor(t, "the socket to connect", `document.body.dataset.ws === "connected"`, 10*time.Second)
		b.run(t, "set the no-reload marker", chromedp.Evaluate(`window.__charlaMarker = 1`, nil))
		b.waitTexts(t, "an empty private room", nil, time.Second)

		for _, m := range []struct {
			from, to *browser
			text     string
		}{
			{a, b, "Private: the plan is hidden under the old oak 🌳"},
			{b, a, "Private: got it, meet at the oak at nine"},
			{a, b, "Private: bring the map & the <lantern>"},
		} {
			m.from.typeAndEnter(t, m.text)
			private = append(private, m.text)
			m.to.waitTexts(t, m.from.name+"'s private message", private, 5*time.Second)
			m.from.waitTexts(t, m.from.name+"'s own private message", private, 5*time.Second)
			m.from.waitPendingEmpty(t, 5*time.Second)
		}
		for _, p := range []*browser{a, b} {
			p.checkNotReloaded(t)
			p.checkMessageMarkup(t)
			p.checkNoMarkupInMessages(t)
			p.checkAuthors(t, []string{a.username, b.username, a.username})
		}
		b.screenshot(t)
	})

	step("10_B_in_general_sees_the_unread_count_live", func(t *testing.T) {
		b.clickThrough(t, "click #general in the sidebar", `nav#rooms a[href="/rooms/1"]`,
			`location.pathname === "/rooms/1"`, 5*time.Second)
		b.waitFor(t, "the socket to connect", `document.body.dataset.ws === "connected"`, 10*time.Second)
		b.run(t, "set the no-reload marker", chromedp.Evaluate(`window.__charlaMarker = 1`, nil))
		b.waitTexts(t, "#general, without the private messages", sent, time.Second)
		badge := `document.getElementById("unread-` + secretID + `")?.textContent.trim()`
		b.waitFor(t, "no unread count: B read the private room", badge+` === ""`, time.Second)
		for i, msg := range []string{"Private: B, are you there?", "Private: B? Check the room"} {
			a.typeAndEnter(t, msg)
			private = append(private, msg)
			sentAt := time.Now()
			b.waitFor(t, "the badge to count the new message, live", badge+` === "`+strconv.Itoa(i+1)+`"`, 5*time.Second)
			t.Logf("B's badge said %d, %v after A sent", i+1, time.Since(sentAt).Round(time.Millisecond))
			a.waitTexts(t, "A's own private message", private, 5*time.Second)
			a.waitPendingEmpty(t, 5*time.Second)
		}
		b.checkNotReloaded(t)
		b.waitTexts(t, "#general, still without the private messages", sent, time.Second)
		b.checkAbsent(t, "B's #general", private, textsJS)
	})

	step("11_C_signs_up_and_sees_nothing_private", func(t *testing.T) {
		c := newBrowser(t, chromium, "C", "carla")
		people = append(people, c)
		secrets := append([]string{secretName}, private...)

		c.signUp(t, home, c.username, c.username+"-password-123")
		c.waitFor(t, "the socket to connect", `document.body.dataset.ws === "connected"`, 10*time.Second)
		c.waitTexts(t, "#general's whole history", sent, 2*time.Second)
		c.waitFor(t, "the sidebar to list #general alone",
			`JSON.stringify(Array.from(document.querySelectorAll("nav#rooms li a"), (a) => a.getAttribute("href") + " " + a.textContent.trim())) === '["/rooms/1 #general"]'`, time.Second)
		c.checkAbsent(t, "C's #general page (its whole HTML)", secrets, `document.documentElement.outerHTML`)

		c.run(t, "open /rooms/"+secretID+" by its address", chromedp.Navigate(home+"rooms/"+secretID))
		var status int
		c.run(t, "read the page's HTTP status", chromedp.Evaluate(`performance.getEntriesByType("navigation")[0]?.responseStatus ?? 0`, &status))
		if status != 404 {
			t.Errorf("C: /rooms/%s answered %d, want 404; page: %s", secretID, status, c.describe())
		}
		var body string
		c.run(t, "read the page", chromedp.Evaluate(`document.documentElement.outerHTML`, &body))
		t.Logf("C's page at /rooms/%s (status %d): %q", secretID, status, truncate(body, 300))
		c.checkAbsent(t, "C's page at /rooms/"+secretID, secrets, `document.documentElement.outerHTML`)

		// What the page would fetch or open there is refused too.
		var probe string
		c.run(t, "probe the room's history and socket", chromedp.Evaluate(`(async () => {
			const older = await fetch("/rooms/`+secretID+`/messages?before=1000000", { redirect: "manual" });
			const heard = await new Promise((resolve) => {
				const got = [];
				const ws = new WebSocket("ws://" + location.host + "/rooms/`+secretID+`/ws?after=0");
				ws.onmessage = (e) => got.push(String(e.data));
				ws.onclose = () => resolve(got);
				setTimeout(() => { ws.close(); resolve(got.concat(["(still open after 2s)"])); }, 2000);
			});
			return JSON.stringify({ older: older.status + " " + (await older.text()), socket: heard });
		})()`, &probe, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
		t.Logf("C's probes of room %s: %s", secretID, probe)
		var pr struct {
			Older  string   `json:"older"`
			Socket []string `json:"socket"`
		}
		if err := json.Unmarshal([]byte(probe), &pr); err != nil {
			t.Fatalf("C: probe: %v in %q", err, probe)
		}
		if !strings.HasPrefix(pr.Older, "404 ") {
			t.Errorf("C: GET /rooms/%s/messages answered %q, want 404", secretID, pr.Older)
		}
		if len(pr.Socket) != 0 {
			t.Errorf("C: the socket of /rooms/%s sent %q, want it refused with nothing sent", secretID, pr.Socket)
		}
		for _, s := range secrets {
			if strings.Contains(probe, s) {
				t.Errorf("C: the probes of /rooms/%s revealed %q", secretID, s)
			}
		}

		c.run(t, "go back to #general", chromedp.Navigate(home))
		c.waitFor(t, "to be in #general", `location.pathname === "/rooms/1"`, 5*time.Second)
		c.waitFor(t, "the socket to connect", `document.body.dataset.ws === "connected"`, 10*time.Second)
		c.waitTexts(t, "#general, without the private messages", sent, time.Second)
		c.checkAbsent(t, "C's #general page (its whole HTML)", secrets, `document.documentElement.outerHTML`)
	})

	// Whatever arrived late (a duplicate, a stray replay) would show here.
	for _, p := range []*browser{a, b} {
		want := sent
		if p == a {
			want = private
		}
		p.waitTexts(t, "the whole conversation, once each, in order", want, time.Second)
		p.checkNotReloaded(t)
	}
	a.screenshot(t)
	for _, p := range people {
		p.checkConsole(t)
	}
}

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
	a.waitFor(t, "the socket to connect", `document.body.dataset.ws === "connected"`, 5*time.Second)
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
	a.waitFor(t, "the socket to connect", `document.body.dataset.ws === "connected"`, 5*time.Second)
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

// chromiumPath finds Chromium, or skips (fails with CHARLA_E2E=1).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CHARLA_E2E") == "1" {
		t.Fatal("CHARLA_E2E=1 but Chromium is not installed (/usr/bin/chromium, or chromium on PATH)")
	}
	t.Skip("Chromium not installed (/usr/bin/chromium, or chromium on PATH); set CHARLA_E2E=1 to make this a failure")
	return ""
}

// testApp is charla served in-process by serve, stoppable and restartable
// on the same address and database.
type testApp struct {
	cfg    Config
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan error
}

func startApp(t *testing.T) *testApp {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	level := slog.LevelWarn
	if os.Getenv("CHARLA_E2E_LOG") == "1" {
		level = slog.LevelInfo
	}
	w := &testLogWriter{t: t}
	t.Cleanup(w.close) // registered first, so it runs last: after serve returned
	app := &testApp{
		cfg: Config{
			Addr:         net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			DatabaseURL:  "file:" + filepath.Join(t.TempDir(), "e2e.db"),
			CookieSecret: e2eCookieSecret,
		},
		log: slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})),
	}
	app.start(t)
	t.Cleanup(func() {
		if app.cancel != nil {
			app.stop(t)
		}
	})
	return app
}

// start runs serve and waits until it listens. The port may still be busy
// for a moment after a stop, so a listen that fails with EADDRINUSE is retried.
func (app *testApp) start(t *testing.T) {
	t.Helper()
	retryUntil := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan string, 1)
		done := make(chan error, 1)
		go func() { done <- serve(ctx, app.cfg, app.log, func(addr string) { ready <- addr }) }()
		select {
		case <-ready:
			app.cancel, app.done = cancel, done
			return
		case err := <-done:
			cancel()
			if errors.Is(err, syscall.EADDRINUSE) && time.Now().Before(retryUntil) {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			t.Fatalf("serve on %s returned before listening: %v", app.cfg.Addr, err)
		case <-time.After(10 * time.Second):
			cancel()
			t.Fatalf("serve did not listen on %s within 10s", app.cfg.Addr)
		}
	}
}

// stop ends serve's context and waits for its graceful shutdown.
func (app *testApp) stop(t *testing.T) {
	t.Helper()
	app.cancel()
	app.cancel = nil
	select {
	case err := <-app.done:
		if err != nil {
			t.Errorf("serve returned %v on shutdown, want nil", err)
		}
	case <-time.After(3 * shutdownGrace):
		t.Fatalf("serve did not return within %v of its context ending", 3*shutdownGrace)
	}
}

// testLogWriter sends the server's log to t.Log until the test ends.
type testLogWriter struct {
	mu     sync.Mutex
	t      *testing.T
	closed bool
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.t.Log("server: " + strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testLogWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}

// browser is one person's own Chromium process with one tab.
type browser struct {
	name     string // A, B, C
	username string // the account the person signs up as
	ctx      context.Context

	mu      sync.Mutex
	console []string // console and log lines not yet passed to t.Log
	bad     []string // uncaught exceptions, CSP violations, dialogs: not yet reported
	wsFails int      // failed WebSocket (re)connections the page logged
}

func newBrowser(t *testing.T, execPath, name, username string) *browser {
	t.Helper()
	profile, err := os.MkdirTemp("", "charla-e2e-chromium-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1024, 768),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// Closed as a person would, Chromium stops its helper processes
		// (which write its cache) before it exits; then it is killed and
		// waited for, closed or not, before its profile goes.
		closeCtx, cancelClose := context.WithTimeout(ctx, 5*time.Second)
		if err := chromedp.Cancel(closeCtx); err != nil {
			t.Logf("%s: close Chromium: %v", name, err)
		}
		cancelClose()
		cancel()
		cancelAlloc()
		// A helper process may still write to the profile for a moment
		// (chromedp works around the same), so removing it is retried.
		var err error
		for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if err = os.RemoveAll(profile); err == nil || time.Now().After(deadline) {
				break
			}
		}
		if err != nil {
			t.Errorf("%s: remove Chromium's profile: %v", name, err)
		}
	})
	b := &browser{name: name, username: username, ctx: ctx}

	chromedp.ListenTarget(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				text += " " + d.Exception.Description
			}
			b.note(true, fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, text))
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.APITypeError {
				return
			}
			text := consoleText(ev.Args)
			b.note(isCSP(text), "console.error: "+text)
		case *cdplog.EventEntryAdded:
			e := ev.Entry
			if e.Level != cdplog.LevelError && !isCSP(e.Text) {
				return
			}
			// A rendering error is markup the browser refused (such as
			// an input's pattern that is not a valid regular expression).
			bad := isCSP(e.Text) || e.Source == cdplog.SourceRendering
			b.note(bad, fmt.Sprintf("log %s/%s: %s %s", e.Source, e.Level, e.Text, e.URL))
		case *page.EventJavascriptDialogOpening:
			b.note(true, fmt.Sprintf("a %s dialog opened: %q", ev.Type, ev.Message))
			go func() { _ = chromedp.Run(ctx, page.HandleJavaScriptDialog(false)) }()
		}
	})

	// Starting the browser; the page reports CSP violations it sees even
	// where Chromium's own log would not (injected scripts are exempt from CSP).
	// The first Run starts Chromium, and the context it gets is the
	// browser's lifetime: so ctx itself, bounded by a timer instead.
	started := make(chan error, 1)
	go func() {
		started <- chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(`document.addEventListener("securitypolicyviolation", (e) =>
				console.error("Content Security Policy violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber));`).Do(ctx)
			return err
		}))
	}()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("%s: start Chromium (%s): %v", name, execPath, err)
		}
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("%s: Chromium (%s) did not start within 30s", name, execPath)
	}
	return b
}

func isCSP(text string) bool { return strings.Contains(text, "Content Security Policy") }

func consoleText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		switch {
		case len(a.Value) > 0 && json.Unmarshal(a.Value, &s) == nil:
		case len(a.Value) > 0:
			s = string(a.Value)
		default:
			s = a.Description
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func (b *browser) note(bad bool, line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.console = append(b.console, line)
	if strings.Contains(line, "htmx:ws:error") || strings.Contains(line, "WebSocket connection to") {
		b.wsFails++
	}
	if bad {
		b.bad = append(b.bad, line)
	}
}

// checkConsole logs what the page said since the last call, and fails on
// uncaught exceptions, CSP violations, rendering errors (markup the browser
// refused) and dialogs. Console errors otherwise
// (hx-ws's "htmx:ws:error" and Chromium's failed WebSocket lines while the
// server restarts) are expected and only logged.
func (b *browser) checkConsole(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	console, bad := b.console, b.bad
	b.console, b.bad = nil, nil
	b.mu.Unlock()
	for _, line := range console {
		t.Logf("%s console: %s", b.name, line)
	}
	for _, line := range bad {
		t.Errorf("%s: the page reported a problem: %s", b.name, line)
	}
}

// run runs actions in the tab, bounded.
func (b *browser) run(t *testing.T, what string, actions ...chromedp.Action) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("%s: %s: %v; page: %s", b.name, what, err, b.describe())
	}
}

// eval evaluates a JS expression into res, bounded; errors (such as a
// page in the middle of navigating) are returned, not fatal.
func (b *browser) eval(js string, res any) error {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate(js, res))
}

// waitFor polls a JS boolean expression every 50 ms until it is true.
func (b *browser) waitFor(t *testing.T, what, js string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		err := b.eval("!!("+js+")", &ok)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: waited %v for %s (%s), in vain (last error: %v); page: %s", b.name, timeout, what, js, err, b.describe())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

const textsJS = `Array.from(document.querySelectorAll("#messages article.msg"), (m) => m.querySelector(".body")?.textContent ?? "<no .body>")`

func (b *browser) texts() ([]string, error) {
	var got []string
	err := b.eval(textsJS, &got)
	return got, err
}

// waitTexts waits until the message list reads exactly want, in order.
// More messages than wanted can never get right, so that fails at once.
func (b *browser) waitTexts(t *testing.T, what string, want []string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got, err := b.texts()
		if err == nil && slices.Equal(got, want) {
			return
		}
		if err == nil && len(got) > len(want) || time.Now().After(deadline) {
			t.Fatalf("%s: waiting %v for %s: #messages reads\n%s\nwant (%d, once each, in order)\n%s\n(last error: %v); page: %s",
				b.name, timeout, what, listing(got), len(want), listing(want), err, b.describe())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func listing(texts []string) string {
	var s strings.Builder
	fmt.Fprintf(&s, "  (%d messages)", len(texts))
	for i, text := range texts {
		fmt.Fprintf(&s, "\n  %2d. %q", i+1, text)
	}
	return s.String()
}

// waitWSFailure waits until the page logs a failed WebSocket connection.
func (b *browser) waitWSFailure(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b.mu.Lock()
		n := b.wsFails
		b.wsFails = 0
		b.mu.Unlock()
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the page logged no failed reconnection within %v of the server stopping; page: %s", b.name, timeout, b.describe())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *browser) waitPendingEmpty(t *testing.T, timeout time.Duration) {
	t.Helper()
	b.waitFor(t, "#pending to be empty", `document.getElementById("pending").children.length === 0`, timeout)
}

// typeAndEnter types text into the composer and presses Enter, as a person would.
func (b *browser) typeAndEnter(t *testing.T, text string) {
	t.Helper()
	b.run(t, "type "+strconv.Quote(text)+" and Enter", chromedp.SendKeys(`#composer textarea`, text, chromedp.ByQuery), pressEnter)
}

// signUp goes where a new visitor goes: the home page sends them to the
// sign-in form, whose link leads to the sign-up form; they fill it in and
// land in #general, signed in.
func (b *browser) signUp(t *testing.T, home, username, password string) {
	t.Helper()
	b.run(t, "open "+home, chromedp.Navigate(home))
	b.waitFor(t, "the home page to send a visitor to the sign-in form",
		`location.pathname === "/signin" && !!document.querySelector('form[action="/signin"] input[name="username"]')`, 5*time.Second)
	b.clickThrough(t, "click \"Create an account\"", `a[href="/signup"]`,
		`location.pathname === "/signup" && !!document.querySelector('form[action="/signup"] input[name="password"]')`, 5*time.Second)
	form := `form[action="/signup"]`
	b.run(t, "fill in the sign-up form",
		chromedp.SendKeys(form+` input[name="username"]`, username, chromedp.ByQuery),
		chromedp.SendKeys(form+` input[name="password"]`, password, chromedp.ByQuery))
	b.clickThrough(t, "click Sign up", form+` button[type="submit"]`,
		`location.pathname === "/rooms/1"`, 10*time.Second)
	b.waitFor(t, "the page to be #general, signed in as "+username,
		`document.querySelector(".top .room")?.textContent.trim() === "#general" && document.querySelector(".top .me")?.textContent.trim() === `+jsString(username)+
			` && document.querySelector('nav#rooms li.current a[href="/rooms/1"]')?.textContent.trim() === "#general"`, time.Second)
}

// clickThrough clicks what leaves the page (a link, a form's button) and
// waits until the next page has loaded and cond holds on it. The old page
// is marked first, so that cond cannot pass on it.
func (b *browser) clickThrough(t *testing.T, what, sel, cond string, timeout time.Duration) {
	t.Helper()
	b.run(t, what+": mark the page", chromedp.Evaluate(`window.__charlaOldPage = 1`, nil))
	b.run(t, what, chromedp.Click(sel, chromedp.ByQuery))
	b.waitFor(t, what+": the next page",
		`window.__charlaOldPage === undefined && document.readyState === "complete" && (`+cond+`)`, timeout)
}

// checkAuthors checks who each message in #messages is by.
func (b *browser) checkAuthors(t *testing.T, want []string) {
	t.Helper()
	var got []string
	if err := b.eval(`Array.from(document.querySelectorAll("#messages article.msg"), (m) => m.querySelector(".author")?.textContent ?? "<no .author>")`, &got); err != nil {
		t.Fatalf("%s: read the authors: %v", b.name, err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: #messages' authors are %q, want %q", b.name, got, want)
	}
}

// checkNoMarkupInMessages fails if a message body made an element: text
// that looks like markup must show as text.
func (b *browser) checkNoMarkupInMessages(t *testing.T) {
	t.Helper()
	var n int
	b.run(t, "count elements inside the message bodies",
		chromedp.Evaluate(`document.querySelectorAll("#messages img, #messages script, #messages .body *").length`, &n))
	if n != 0 {
		t.Errorf("%s: %d img/script/child elements inside #messages, want 0; page: %s", b.name, n, b.describe())
	}
}

// checkAbsent fails if what the JS expression js reads (a string, or a list
// of strings) contains any of secrets.
func (b *browser) checkAbsent(t *testing.T, where string, secrets []string, js string) {
	t.Helper()
	var got any
	if err := b.eval(js, &got); err != nil {
		t.Fatalf("%s: read %s: %v", b.name, where, err)
	}
	text := fmt.Sprint(got)
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s: %s shows %q, which only the private room's members may see", b.name, where, s)
		}
		// The page's HTML escapes what it shows: look for that too.
		if esc := htmlEscaper.Replace(s); esc != s && strings.Contains(text, esc) {
			t.Errorf("%s: %s shows %q (escaped), which only the private room's members may see", b.name, where, s)
		}
	}
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// pressEnter presses Enter in the focused element the way a keyboard does
// in Chromium: a raw key down, the "\r" character, a key up; Chromium drops
// the character when the page prevented the keydown. (SendKeys with
// kb.Enter sends keyDown+char instead, whose char Chromium never drops, so
// every Enter-to-send would leave a "\n" in the composer that no person's
// keyboard leaves.)
var pressEnter = chromedp.ActionFunc(func(ctx context.Context) error {
	for _, typ := range []input.KeyType{input.KeyRawDown, input.KeyChar, input.KeyUp} {
		ev := input.DispatchKeyEvent(typ).WithKey("Enter").WithCode("Enter").
			WithWindowsVirtualKeyCode(13).WithNativeVirtualKeyCode(13)
		if typ == input.KeyChar {
			ev = ev.WithText("\r").WithUnmodifiedText("\r")
		}
		if err := ev.Do(ctx); err != nil {
			return err
		}
	}
	return nil
})

// checkNotReloaded fails if the page navigated since the marker was set,
// for instance by a native form submission.
func (b *browser) checkNotReloaded(t *testing.T) {
	t.Helper()
	var state struct {
		Marker any    `json:"marker"`
		Href   string `json:"href"`
	}
	var raw string
	if err := b.eval(`JSON.stringify({marker: window.__charlaMarker ?? null, href: location.href})`, &raw); err != nil {
		t.Fatalf("%s: read the no-reload marker: %v", b.name, err)
	}
	if err := json.Unmarshal([]byte(raw), &state); err != nil {
		t.Fatalf("%s: %v in %s", b.name, err, raw)
	}
	if state.Marker != float64(1) {
		t.Errorf("%s: window.__charlaMarker is %v, want 1: the page reloaded by itself (now at %s)", b.name, state.Marker, state.Href)
	}
	if strings.Contains(state.Href, "?") {
		t.Errorf("%s: location is %s, want no query string (a native form submission?)", b.name, state.Href)
	}
}

// checkMessageMarkup checks each message's element: id msg-N, data-id N,
// a data-key, ids ascending.
func (b *browser) checkMessageMarkup(t *testing.T) {
	t.Helper()
	var problems []string
	err := b.eval(`(() => {
		const out = [];
		let last = 0;
		for (const m of document.querySelectorAll("#messages > *")) {
			const id = Number(m.dataset.id);
			if (m.tagName !== "ARTICLE" || !m.classList.contains("msg")) out.push("not an article.msg: " + m.outerHTML.slice(0, 120));
			if (m.id !== "msg-" + m.dataset.id) out.push("id " + m.id + " with data-id " + m.dataset.id);
			if (!m.dataset.key) out.push(m.id + " has no data-key");
			if (!(id > last)) out.push(m.id + " after msg-" + last + ": not in ascending order");
			last = id;
		}
		return out;
	})()`, &problems)
	if err != nil {
		t.Fatalf("%s: check message markup: %v", b.name, err)
	}
	for _, p := range problems {
		t.Errorf("%s: #messages: %s", b.name, p)
	}
}

// describe is the page's state for failure messages.
func (b *browser) describe() string {
	var s string
	err := b.eval(`JSON.stringify({
		href: location.href,
		title: document.title,
		room: document.querySelector(".top .room")?.textContent ?? null,
		rooms: Array.from(document.querySelectorAll("nav#rooms li"), (li) => li.textContent.trim().replace(/\s+/g, " ")),
		problem: document.querySelector(".problem")?.textContent ?? null,
		ws: document.body?.dataset.ws ?? null,
		status: document.getElementById("status")?.textContent ?? null,
		marker: window.__charlaMarker ?? null,
		messages: Array.from(document.querySelectorAll("#messages > *"), (m) => m.id + " " + JSON.stringify(m.querySelector(".body")?.textContent)),
		pending: Array.from(document.querySelectorAll("#pending > *"), (p) => p.id + " " + p.className + " " + JSON.stringify(p.textContent)),
		composer: document.querySelector("#composer textarea")?.value ?? null,
		text: document.querySelector("#chat") ? null : (document.body?.innerText ?? "").slice(0, 300),
	}, null, 1)`, &s)
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	return s
}

// screenshot saves the viewport as a PNG under os.TempDir().
func (b *browser) screenshot(t *testing.T) {
	t.Helper()
	var png []byte
	b.run(t, "take a screenshot", chromedp.CaptureScreenshot(&png))
	path := filepath.Join(os.TempDir(), fmt.Sprintf("charla-e2e-%s-%s.png", b.name, time.Now().Format("20060102-150405")))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("save screenshot: %v", err)
		return
	}
	t.Logf("screenshot of %s's page: %s", b.name, path)
}

func mustJSON(v any) string {
	j, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(j)
}

// jsString quotes s as a JS string literal (JSON strings are JS strings).
func jsString(s string) string { return mustJSON(s) }
