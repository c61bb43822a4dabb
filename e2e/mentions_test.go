package e2e

// Browser tests of mentions and notifications (issue 9, item 6) and of the
// accessibility of the live log (issue 9, item 12).

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/db"
	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// recordNotificationsJS wraps the browser's Notification before the page's
// scripts run, so that the test sees what the page asks and shows (headless
// Chromium shows nothing). Each notification is recorded before it is made.
const recordNotificationsJS = `(() => {
	const Real = window.Notification;
	if (!Real) return;
	window.__asked = 0;
	window.__notes = [];
	class Recorded extends Real {
		constructor(title, options) {
			window.__notes.push({ title, body: options?.body ?? "", tag: options?.tag ?? "" });
			super(title, options);
		}
	}
	Recorded.requestPermission = (...args) => { window.__asked++; return Real.requestPermission(...args); };
	window.Notification = Recorded;
})()`

// recordNotifications makes b's pages record their notifications (see
// recordNotificationsJS), from the next page on.
func (b *browser) recordNotifications(t *testing.T) {
	t.Helper()
	b.run(t, "record notifications", chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(recordNotificationsJS).Do(ctx)
		return err
	}))
}

// notes are the notifications b's page has shown, as "title | body".
func (b *browser) notes(t *testing.T) []string {
	t.Helper()
	var notes []string
	if err := b.eval(`(window.__notes ?? []).map((n) => n.title + " | " + n.body)`, &notes); err != nil {
		t.Fatalf("%s: read the notifications: %v", b.name, err)
	}
	return notes
}

// waitNote waits until b's page has shown the notification want ("title | body").
func (b *browser) waitNote(t *testing.T, want string) {
	t.Helper()
	b.waitFor(t, "the notification "+jsString(want), `(window.__notes ?? []).some((n) => n.title + " | " + n.body === `+jsString(want)+`)`, 10*time.Second)
}

// mentionState is how b's page shows the message with the given body and
// the sidebar's badges.
type mentionState struct {
	Span        bool    `json:"span"`        // the body holds a .mention span
	MineBg      string  `json:"mineBg"`      // the span's background
	RowBg       string  `json:"rowBg"`       // the message's background
	RowShadow   string  `json:"rowShadow"`   // the message's mark at its left
	RowContrast float64 `json:"rowContrast"` // its body's text on its background
}

func (b *browser) mentionState(t *testing.T, body string) mentionState {
	t.Helper()
	var s mentionState
	b.evalJSON(t, "read how the mention shows", `(() => {
		const m = Array.from(document.querySelectorAll("#messages > .msg")).find((m) => m.querySelector(".body")?.textContent === `+jsString(body)+`);
		const span = m?.querySelector(".body .mention");
		const body = m?.querySelector(".body");
		return JSON.stringify({
			span: !!span,
			mineBg: span ? getComputedStyle(span).backgroundColor : "",
			rowBg: m ? getComputedStyle(m).backgroundColor : "",
			rowShadow: m ? getComputedStyle(m).boxShadow : "",
			rowContrast: body ? contrast(rgbOf(getComputedStyle(body).color), rgbOf(effectiveBackground(body))) : 0,
		});
	})()`, &s)
	return s
}

// badges reads the sidebar's unread and mention badges of a room, as text.
func (b *browser) badges(t *testing.T, room string) (unread, mentions string) {
	t.Helper()
	var got []string
	if err := b.eval(`[document.getElementById("unread-`+room+`")?.textContent ?? "", document.getElementById("mentions-`+room+`")?.textContent ?? ""]`, &got); err != nil {
		t.Fatalf("%s: read the badges: %v", b.name, err)
	}
	return got[0], got[1]
}

const transparent = "rgba(0, 0, 0, 0)"

// TestBrowserMentionsAndNotifications: three people. A mention of Ana is
// highlighted (and its message) on Ana's page only; a mention in another
// room is counted in her sidebar apart from the unread messages, live, and
// gone once she reads the room; with her permission (asked by a button,
// the test grants it) she is notified of a mention in another room, of a
// direct message, and of a mention in her open room while the tab is
// hidden. The composer suggests names after an @.
func TestBrowserMentionsAndNotifications(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")
	b := newBrowser(t, chromium, "B", "bob")
	c := newBrowser(t, chromium, "C", "carl")
	a.recordNotifications(t)
	for _, p := range []*browser{a, b, c} {
		p.signUp(t, home, p.username, p.username+"-password-123")
		p.waitConnected(t)
	}

	// Not asked on load; the button asks, once the person chooses to.
	if notes, asked := a.notes(t), 0; len(notes) != 0 || a.eval(`window.__asked`, &asked) != nil || asked != 0 {
		t.Fatalf("A: asked %d times or notified %q before anyone pressed the button", asked, notes)
	}
	a.waitFor(t, "the notify button", `document.querySelector(".notify button")?.checkVisibility()`, 5*time.Second)
	a.run(t, "grant notifications", cdpbrowser.GrantPermissions([]cdpbrowser.PermissionType{cdpbrowser.PermissionTypeNotifications}).
		WithOrigin(strings.TrimSuffix(home, "/")))
	a.run(t, "press the notify button", chromedp.Click(".notify button", chromedp.ByQuery))
	a.waitFor(t, "the button asked and is gone", `window.__asked === 1 && Notification.permission === "granted" && !document.querySelector(".notify").checkVisibility()`, 5*time.Second)

	// #general: Bob mentions Ana. Highlighted on Ana's page, not on Carl's.
	hi := "morning @Ana, and welcome"
	b.sendAndSee(t, "Bob's mention of Ana", hi, []string{hi})
	for _, p := range []*browser{a, c} {
		p.waitTexts(t, "Bob's mention of Ana", []string{hi}, 5*time.Second)
	}
	mine, theirs := a.mentionState(t, hi), c.mentionState(t, hi)
	if !mine.Span || mine.MineBg == transparent || mine.RowBg == transparent || mine.RowShadow == "none" {
		t.Errorf("A: a mention of Ana on her own page: %+v; want it and its message to stand out", mine)
	}
	if !theirs.Span || theirs.MineBg != transparent || theirs.RowBg != transparent || theirs.RowShadow != "none" {
		t.Errorf("C: a mention of Ana on Carl's page: %+v; want it picked out, but not as his", theirs)
	}
	if mine.RowContrast < minContrast {
		t.Errorf("A: the highlighted message's text has contrast %.2f:1, want at least %v:1", mine.RowContrast, minContrast)
	}
	a.saveScreenshot(t, "mention-desktop-light")

	// Bob's room #design, with Ana in it; Ana stays in #general.
	design := b.createRoom(t, "design", "public")
	b.openMembers(t, design)
	form := `form.add-member`
	b.run(t, "type Ana's username", chromedp.SendKeys(form+` input[name="username"]`, a.username, chromedp.ByQuery))
	b.clickThrough(t, "click Add", form+` button[type="submit"]`, `location.pathname === "/rooms/`+design+`/members" && !document.querySelector(".problem")`, 5*time.Second)
	b.clickThrough(t, "go back to the room", `.back-to-room a`, `location.pathname === "/rooms/`+design+`"`, 5*time.Second)
	b.waitConnected(t)
	a.waitFor(t, "#design in Ana's sidebar", `!!document.querySelector('nav#rooms a[href="/rooms/`+design+`"]')`, 10*time.Second)
	a.waitConnected(t)

	ask := "@ana can you review the palette?"
	b.sendAndSee(t, "a mention in #design", ask, []string{ask})
	b.sendAndSee(t, "no mention in #design", "and the icons", []string{ask, "and the icons"})
	a.waitFor(t, "#design's badges: 2 unread, 1 mention", `document.getElementById("unread-`+design+`")?.textContent === "2" && document.getElementById("mentions-`+design+`")?.textContent === "@1 mention"`, 10*time.Second)
	a.waitNote(t, "bob mentioned you in #design | "+ask)
	if n := len(a.notes(t)); n != 1 {
		t.Errorf("A: %d notifications, want 1 (a message without a mention is no notification): %q", n, a.notes(t))
	}
	a.waitFor(t, "the mention badge to read \"@\" hidden from screen readers",
		`document.querySelector("#mentions-`+design+` [aria-hidden=true]")?.textContent === "@" && document.querySelector("#mentions-`+design+` .visually-hidden")?.textContent === " mention"`, time.Second)
	a.saveScreenshot(t, "mention-sidebar")
	var badge float64
	a.evalJSON(t, "measure the mention badge's contrast", `JSON.stringify((() => {
		const e = document.getElementById("mentions-`+design+`");
		return contrast(rgbOf(getComputedStyle(e).color), rgbOf(effectiveBackground(e)));
	})())`, &badge)
	if badge < minContrast {
		t.Errorf("A: the mention badge's text has contrast %.2f:1, want at least %v:1", badge, minContrast)
	}
	if u, m := c.badges(t, design); u != "" || m != "" {
		t.Errorf("C: Carl, not in #design, has its badges %q %q", u, m)
	}

	// The count survives a reload, and goes once Ana reads the room.
	a.run(t, "reload", chromedp.Reload())
	a.waitConnected(t)
	if u, m := a.badges(t, design); u != "2" || m != "@1 mention" {
		t.Errorf("A: after a reload #design's badges read %q %q, want 2 and @1 mention", u, m)
	}
	a.clickThrough(t, "open #design", `nav#rooms a[href="/rooms/`+design+`"]`, `location.pathname === "/rooms/`+design+`"`, 5*time.Second)
	a.waitConnected(t)
	a.clickThrough(t, "back to #general", `nav#rooms a[href="/rooms/1"]`, `location.pathname === "/rooms/1"`, 5*time.Second)
	a.waitConnected(t)
	if u, m := a.badges(t, design); u != "" || m != "" {
		t.Errorf("A: after reading #design its badges read %q %q, want none", u, m)
	}

	// A direct message from Carl: a notification without a mention.
	c.run(t, "type Ana's username", chromedp.SendKeys(`form.new-direct input[name="username"]`, a.username, chromedp.ByQuery))
	c.clickThrough(t, "click Message", `form.new-direct button[type="submit"]`, `document.querySelector(".top .room")?.textContent.trim() === "@ana"`, 5*time.Second)
	c.waitConnected(t)
	a.waitFor(t, "@carl in Ana's sidebar", `Array.from(document.querySelectorAll("nav#rooms a")).some((l) => l.textContent.trim() === "@carl")`, 10*time.Second)
	a.waitConnected(t)
	c.sendAndSee(t, "a direct message", "psst, lunch?", []string{"psst, lunch?"})
	a.waitNote(t, "carl in a direct message | psst, lunch?")

	// Ana's tab hidden: a mention in her open room notifies her.
	a.run(t, "hide Ana's tab", chromedp.Evaluate(`Object.defineProperty(document, "hidden", { configurable: true, get: () => true }); document.dispatchEvent(new Event("visibilitychange"))`, nil))
	later := "@ana are you there?"
	b.clickThrough(t, "Bob back to #general", `nav#rooms a[href="/rooms/1"]`, `location.pathname === "/rooms/1"`, 5*time.Second)
	b.waitConnected(t)
	b.sendAndSee(t, "a mention while Ana's tab is hidden", later, []string{hi, later})
	a.waitNote(t, "bob mentioned you in #general | "+later)

	// The composer suggests names: "@bo" offers bob; Enter takes it
	// (and sends nothing); Enter then sends.
	a.run(t, "show Ana's tab", chromedp.Evaluate(`delete document.hidden; document.dispatchEvent(new Event("visibilitychange"))`, nil))
	a.run(t, "type @bo", chromedp.Evaluate(`document.querySelector("#composer textarea").focus()`, nil), input.InsertText("thanks @bo"))
	a.waitFor(t, "bob suggested", `!document.getElementById("suggest").hidden && document.querySelector("#suggest [aria-selected=true]")?.dataset.name === "bob" &&
		document.querySelector("#composer textarea").getAttribute("aria-activedescendant") === document.querySelector("#suggest [aria-selected=true]").id`, 5*time.Second)
	a.saveScreenshot(t, "mention-suggest")
	a.run(t, "Enter takes the name", pressEnter)
	a.waitFor(t, "the name in the composer", `document.querySelector("#composer textarea").value === "thanks @bob " && document.getElementById("suggest").hidden`, 2*time.Second)
	a.run(t, "type the rest and Enter", input.InsertText("for the review"), pressEnter)
	a.waitTexts(t, "Ana's message naming Bob", []string{hi, later, "thanks @bob for the review"}, 10*time.Second)

	for _, p := range []*browser{a, b, c} {
		p.checkConsole(t)
	}
}

// TestBrowserLiveRegionReadsOnlyNewMessages: the log itself is not a live
// region; older history loaded above is not read aloud, and each new
// message from someone else is (through #announce), a mention of the
// reader saying so. After Send the focus is back in the composer.
func TestBrowserLiveRegionReadsOnlyNewMessages(t *testing.T) {
	app, a, b := anaAndBob(t)

	var msgs []db.NewMessage
	for i := range db.PageSize + 20 {
		msgs = append(msgs, db.NewMessage{RoomID: db.GeneralRoom, Author: "seeder", Body: fmt.Sprintf("history %03d", i)})
	}
	seedMessages(t, app, msgs)
	a.run(t, "reload", chromedp.Reload())
	a.waitConnected(t)
	a.waitFor(t, "the newest page", `document.querySelectorAll("#messages > .msg").length === `+fmt.Sprint(db.PageSize), 5*time.Second)
	a.waitFor(t, "the log not live, the announcer live", `document.getElementById("messages").getAttribute("aria-live") === "off" &&
		document.getElementById("announce").getAttribute("aria-live") === "polite"`, time.Second)

	a.run(t, "scroll the log to the very top", chromedp.Evaluate(`(() => { const el = document.querySelector(".scroller"); el.scrollTop = -el.scrollHeight; })()`, nil))
	a.waitFor(t, "the older history loaded", `document.querySelectorAll("#messages > .msg").length === `+fmt.Sprint(db.PageSize+20), 5*time.Second)
	var said []string
	a.run(t, "read the announcer", chromedp.Evaluate(`Array.from(document.getElementById("announce").children, (p) => p.textContent)`, &said))
	if len(said) != 0 {
		t.Errorf("A: loading older history put %d messages in the live region: %q", len(said), said)
	}

	b.run(t, "reload", chromedp.Reload())
	b.waitConnected(t)
	b.typeAndEnter(t, "hello there")
	a.waitFor(t, "Bob's message read aloud", `Array.from(document.getElementById("announce").children, (p) => p.textContent).join("|") === "bob: hello there"`, 10*time.Second)
	b.typeAndEnter(t, "@ana look")
	a.waitFor(t, "the mention read aloud", `Array.from(document.getElementById("announce").children, (p) => p.textContent).join("|") === "bob: hello there|bob mentioned you: @ana look"`, 10*time.Second)

	// Ana clicks Send: her message goes, it is not read back to her, and
	// the focus is in the composer again.
	a.run(t, "type and click Send", chromedp.SendKeys(`#composer textarea`, "clicked", chromedp.ByQuery), chromedp.Click(`#composer button[type="submit"]`, chromedp.ByQuery))
	a.waitFor(t, "Ana's message stored", `document.querySelector("#messages > .msg:last-child .body")?.textContent === "clicked" && document.getElementById("pending").children.length === 0`, 10*time.Second)
	a.waitFor(t, "the focus back in the composer", `document.activeElement === document.querySelector("#composer textarea")`, time.Second)
	a.run(t, "read the announcer", chromedp.Evaluate(`Array.from(document.getElementById("announce").children, (p) => p.textContent)`, &said))
	if strings.Contains(strings.Join(said, "|"), "clicked") {
		t.Errorf("A: her own message was read back to her: %q", said)
	}

	// Dark theme: the reader's highlighted mention keeps its contrast.
	a.run(t, "emulate prefers-color-scheme: dark", emulation.SetEmulatedMedia().
		WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}))
	if s := a.mentionState(t, "@ana look"); s.RowContrast < minContrast {
		t.Errorf("A: dark theme, the highlighted message's text has contrast %.2f:1, want at least %v:1", s.RowContrast, minContrast)
	}
	a.saveScreenshot(t, "mention-desktop-dark")
	a.checkConsole(t)
	b.checkConsole(t)
}

// TestBrowserLateSuggestionsDoNotReopen: on a slow network the members
// asked for while a name was being typed answer after it is finished (a
// space typed). Those answers must not open the suggestions again: Enter
// would then take a name instead of sending the message.
func TestBrowserLateSuggestionsDoNotReopen(t *testing.T) {
	_, a, b := anaAndBob(t)
	b.waitConnected(t)

	b.run(t, "a slow network (400 ms a request)", network.Enable(), network.EmulateNetworkConditions(false, 400, -1, -1))
	b.run(t, "type a mention and go on", chromedp.SendKeys(`#composer textarea`, "@ana look", chromedp.ByQuery))
	b.run(t, "let the late answers come", chromedp.Sleep(1500*time.Millisecond))
	b.waitFor(t, "no suggestions open", `document.getElementById("suggest").hidden`, time.Second)
	b.run(t, "press Enter", pressEnter)
	a.waitFor(t, "the mention sent", `Array.from(document.querySelectorAll("#messages > .msg .body"), (e) => e.textContent).includes("@ana look")`, 10*time.Second)
	for _, p := range []*browser{a, b} {
		p.checkConsole(t)
	}
}

// anaAndBob starts charla and signs up ana and bob, each in a Chromium of
// their own, both in #general.
func anaAndBob(t *testing.T) (app *testApp, a, b *browser) {
	t.Helper()
	chromium := chromiumPath(t)
	app = startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a = newBrowser(t, chromium, "A", "ana")
	b = newBrowser(t, chromium, "B", "bob")
	a.signUp(t, home, a.username, a.username+"-password-123")
	b.signUp(t, home, b.username, b.username+"-password-123")
	return app, a, b
}
