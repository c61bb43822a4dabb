package e2e

// Two people talk in #general through a burst of messages, a reload and a
// server restart, then in a private room that a third person must not see.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

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

	step := steps(t, &people)

	step("1_both_sign_up_and_open_general", func(t *testing.T) {
		for _, p := range []*browser{a, b} {
			p.signUp(t, home, p.username, p.username+"-password-123")
			p.waitConnected(t)
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
		// opened after the newest position, so it replayed nothing.
		var socketURL, newest, pos string
		b.run(t, "read the page's socket URL",
			chromedp.Evaluate(`document.getElementById("chat").getAttribute("hx-ws:connect")`, &socketURL),
			chromedp.Evaluate(`document.querySelector("#messages > article.msg:last-child")?.dataset.id ?? ""`, &newest),
			chromedp.Evaluate(`document.querySelector("#messages > article.msg:last-child")?.dataset.pos ?? ""`, &pos))
		if want := "/rooms/1/ws?after=" + pos + "&newest=" + newest; newest == "" || socketURL != want {
			t.Errorf("B after reload: socket URL %q, want %q (history rendered by the server)", socketURL, want)
		}
		b.waitTexts(t, "the 21 messages rendered from the database", sent, time.Second)
		b.waitConnected(t)
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
		a.waitConnected(t)
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
		a.openMembers(t, secretID)
		form := `form.add-member`
		a.run(t, "type B's username", chromedp.SendKeys(form+` input[name="username"]`, b.username, chromedp.ByQuery))
		a.clickThrough(t, "click Add", form+` button[type="submit"]`,
			`location.pathname === "/rooms/`+secretID+`/members" && !document.querySelector(".problem")`, 5*time.Second)
		a.clickThrough(t, "go back to the room", `.back-to-room a`, `location.pathname === "/rooms/`+secretID+`"`, 5*time.Second)
		a.waitConnected(t)
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
		b.waitConnected(t)
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
		b.waitConnected(t)
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
		c.waitConnected(t)
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
		c.waitConnected(t)
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
