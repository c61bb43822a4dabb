package e2e

// Sidebar and rooms (issue 9, item 8): the sidebar's sections, a room's
// member list with adding people (username suggestions) and messaging
// them, the topic, leaving after a question; on a desktop and a phone.

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

func TestBrowserSidebarMembersTopicAndLeaving(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")
	b := newBrowser(t, chromium, "B", "bruno")
	a.signUp(t, home, a.username, a.username+"-password-123")
	b.signUp(t, home, b.username, b.username+"-password-123")
	createAccounts(t, app, "brenda", "brais") // more names that begin "br"
	a.createRoom(t, "plaza", "public")
	a.clickThrough(t, "back to #general", `nav#rooms a[href="/rooms/1"]`, `location.pathname === "/rooms/1"`, 5*time.Second)
	secreto := a.createRoom(t, "secreto", "private")

	// The sidebar's sections: rooms, direct messages (none yet), starting
	// one, and the public rooms to browse (#plaza, for B).
	a.checkSidebarSections(t, []string{"#general", "#plaza", "#secreto"}, nil, "#secreto")
	a.saveScreenshot(t, "rooms-sidebar-desktop")
	b.run(t, "reload", chromedp.Reload())
	b.waitFor(t, "#plaza to be offered to B", `document.querySelector('#sidebar .browse ul.public a')?.textContent.trim() === "#plaza"`, 5*time.Second)

	// Who is in #secreto: A alone, on the room's member list (the header's
	// Members link, on a wide screen).
	a.clickThrough(t, "click Members", `.top .members-link`,
		`location.pathname === "/rooms/`+secreto+`/members" && document.querySelector(".top .members-link")?.getAttribute("aria-current") === "page"`, 5*time.Second)
	a.checkMembers(t, secreto, []string{"ana"})

	// Adding someone: typing "br" suggests the accounts beginning so.
	form := `form.add-member`
	a.run(t, "type \"br\"", chromedp.SendKeys(form+` input[name="username"]`, "br", chromedp.ByQuery))
	a.waitFor(t, "the suggestions for \"br\"",
		`JSON.stringify(Array.from(document.querySelectorAll("#people-add-member option"), (o) => o.value)) === '["brais","brenda","bruno"]'`, 5*time.Second)
	a.run(t, "type the rest of bruno", chromedp.SendKeys(form+` input[name="username"]`, "uno", chromedp.ByQuery))
	a.waitFor(t, "the suggestions for \"bruno\"",
		`JSON.stringify(Array.from(document.querySelectorAll("#people-add-member option"), (o) => o.value)) === '["bruno"]'`, 5*time.Second)
	a.clickThrough(t, "click Add", form+` button[type="submit"]`,
		`location.pathname === "/rooms/`+secreto+`/members" && !document.querySelector(".problem")`, 5*time.Second)
	a.checkMembers(t, secreto, []string{"ana", "bruno"})

	// The topic: set on the member list, shown under the room's name.
	const topic = "Launch plans: keep them here until Friday"
	a.run(t, "type the topic", chromedp.SendKeys(`form.topic-form input[name="topic"]`, topic, chromedp.ByQuery))
	a.clickThrough(t, "click Save topic", `form.topic-form button[type="submit"]`,
		`location.pathname === "/rooms/`+secreto+`/members" && document.querySelector(".top .topic")?.textContent === `+jsString(topic), 5*time.Second)
	a.saveScreenshot(t, "rooms-members-desktop")
	for _, scheme := range []string{"dark", "light"} {
		a.run(t, "emulate prefers-color-scheme: "+scheme, emulation.SetEmulatedMedia().
			WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}))
		a.checkContrastOf(t, scheme+", the member list", placesText)
		if scheme == "dark" {
			a.saveScreenshot(t, "rooms-members-desktop-dark")
		}
	}
	a.clickThrough(t, "back to the room", `.back-to-room a`, `location.pathname === "/rooms/`+secreto+`"`, 5*time.Second)
	a.waitConnected(t)
	a.waitFor(t, "the topic under the room's name", `document.querySelector(".top .title .topic")?.textContent === `+jsString(topic), time.Second)

	// B, added, has #secreto in the sidebar; A's message there makes it bold.
	b.waitFor(t, "#secreto in B's sidebar", `!!document.querySelector('nav#rooms a[href="/rooms/`+secreto+`"]')`, 10*time.Second)
	b.waitConnected(t)
	b.checkBold(t, secreto, false)
	a.sendAndSee(t, "A's message in #secreto", "Bruno, the plans are in", []string{"Bruno, the plans are in"})
	b.waitFor(t, "the unread badge", `document.getElementById("unread-`+secreto+`")?.textContent.trim() === "1"`, 10*time.Second)
	b.checkBold(t, secreto, true)
	b.clickThrough(t, "open #secreto", `nav#rooms a[href="/rooms/`+secreto+`"]`,
		`location.pathname === "/rooms/`+secreto+`" && document.querySelector(".top .topic")?.textContent === `+jsString(topic), 5*time.Second)
	b.waitConnected(t)
	b.checkBold(t, secreto, false)

	// A direct conversation from the member list.
	b.openMembers(t, secreto)
	b.clickThrough(t, "click Message beside ana", `button[aria-label="Message ana"]`,
		`/^\/rooms\/\d+$/.test(location.pathname) && document.querySelector("h1.room")?.textContent.trim() === "@ana"`, 5*time.Second)
	b.waitConnected(t)
	b.checkSidebarSections(t, []string{"#general", "#secreto"}, []string{"@ana"}, "@ana")

	// Leaving asks first; Stay stays.
	b.clickThrough(t, "back to #secreto", `nav#rooms a[href="/rooms/`+secreto+`"]`, `location.pathname === "/rooms/`+secreto+`"`, 5*time.Second)
	b.openMembers(t, secreto)
	b.clickThrough(t, "click Leave", `.leave-link`,
		`location.pathname === "/rooms/`+secreto+`/leave" && document.querySelector("#leave-heading")?.textContent.trim() === "Leave #secreto?"`, 5*time.Second)
	b.saveScreenshot(t, "rooms-leave-desktop")
	b.checkContrastOf(t, "light, the question before leaving", placesText)
	b.clickThrough(t, "click Stay", `form.leave a.stay`, `location.pathname === "/rooms/`+secreto+`"`, 5*time.Second)
	b.waitConnected(t)
	b.leaveRoom(t, secreto)
	b.waitFor(t, "#secreto gone from the sidebar", `!document.querySelector('nav#rooms a[href="/rooms/`+secreto+`"]')`, 5*time.Second)
	a.openMembers(t, secreto)
	a.checkMembers(t, secreto, []string{"ana"})
	a.checkConsole(t)
	b.checkConsole(t)
}

// TestBrowserRoomPlacesOnAPhone: on a phone the header with a topic keeps
// to one line within the screen (the room's name is the way to its
// members), the member list and the question before leaving fit it, the
// sidebar's sections are in its popover; leaving works without script.
func TestBrowserRoomPlacesOnAPhone(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")
	a.emulatePhone(t)
	a.signUp(t, home, a.username, a.username+"-password-123")
	a.waitConnected(t)
	a.openSidebar(t)
	room := a.createRoom(t, "phone-layout-and-dark-theme", "private")
	a.checkSidebarFolded(t)

	a.clickThrough(t, "tap the room's name", `.top a.title`, `location.pathname === "/rooms/`+room+`/members"`, 5*time.Second)
	a.checkFitsPhone(t, "the member list")
	a.run(t, "type the topic", chromedp.SendKeys(`form.topic-form input[name="topic"]`,
		"Everything about the phone layout and the dark theme, screenshots welcome", chromedp.ByQuery))
	a.clickThrough(t, "tap Save topic", `form.topic-form button[type="submit"]`,
		`location.pathname === "/rooms/`+room+`/members" && !!document.querySelector(".top .topic:not(:empty)")`, 5*time.Second)
	a.checkFitsPhone(t, "the member list with a topic")
	a.saveScreenshot(t, "rooms-members-phone")

	a.clickThrough(t, "back to the room", `.back-to-room a`, `location.pathname === "/rooms/`+room+`"`, 5*time.Second)
	a.waitConnected(t)
	for _, width := range []int64{360, 430, phoneWidth} {
		a.run(t, fmt.Sprintf("emulate a %d px phone", width),
			chromedp.EmulateViewport(width, phoneHeight, chromedp.EmulateScale(phoneScale), chromedp.EmulateMobile))
		a.checkFits(t, fmt.Sprintf("the room with a topic at %d px", width), width)
		a.checkChatTakesTheWidth(t)
		a.waitFor(t, "the room's name (a link to its members) and the topic to show",
			`document.querySelector(".top a.title h1.room").checkVisibility() && document.querySelector(".top .topic").checkVisibility()`, time.Second)
	}
	a.saveScreenshot(t, "rooms-room-topic-phone")
	a.openSidebar(t)
	a.checkSidebarSections(t, []string{"#general", "#phone-layout-and-dark-theme"}, nil, "#phone-layout-and-dark-theme")
	a.saveScreenshot(t, "rooms-sidebar-phone")
	a.run(t, "click Close", chromedp.Click(`#sidebar .close`, chromedp.ByQuery))
	a.checkSidebarFolded(t)

	a.checkConsole(t)

	// Leaving, without script: every step is a link or a form.
	a.run(t, "turn script off and reload", emulation.SetScriptExecutionDisabled(true), chromedp.Reload())
	a.waitFor(t, "the page without script", `document.readyState === "complete" && location.pathname === "/rooms/`+room+`"`, 5*time.Second)
	a.openMembers(t, room)
	a.clickThrough(t, "tap Leave", `.leave-link`, `location.pathname === "/rooms/`+room+`/leave"`, 5*time.Second)
	a.checkFitsPhone(t, "the question before leaving")
	a.saveScreenshot(t, "rooms-leave-phone")
	a.clickThrough(t, "tap the Leave button", `form.leave button[type="submit"]`, `location.pathname === "/rooms/1"`, 10*time.Second)
	a.waitFor(t, "the room left gone from the sidebar", `!document.querySelector('nav#rooms a[href="/rooms/`+room+`"]')`, time.Second)
}

// checkSidebarSections checks the sidebar's sections: the named rooms and
// the direct conversations in their own lists (nil: the "none yet" note),
// the current one marked, and the start and browse sections.
func (b *browser) checkSidebarSections(t *testing.T, rooms, direct []string, current string) {
	t.Helper()
	b.waitFor(t, "the sidebar's sections", fmt.Sprintf(`(() => {
		const names = (sel) => JSON.stringify(Array.from(document.querySelectorAll(sel), (a) => a.textContent.trim()));
		const headings = JSON.stringify(Array.from(document.querySelectorAll("#sidebar h2"), (h) => h.textContent.trim()));
		return headings === '["Rooms","Direct messages","New room or conversation","Browse public rooms"]' &&
			names("nav#rooms ul.named a") === %s &&
			(%t ? !!document.querySelector("nav#rooms .none") && !document.querySelector("nav#rooms ul.direct") : names("nav#rooms ul.direct a") === %s) &&
			names('nav#rooms a[aria-current="page"]') === %s &&
			!!document.querySelector("#sidebar .start form.new-room") && !!document.querySelector("#sidebar .start form.new-direct");
	})()`, jsString(mustJSON(rooms)), direct == nil, jsString(mustJSON(direct)), jsString(mustJSON([]string{current}))), 5*time.Second)
}

// checkBold checks whether a room's link in the sidebar is bold (unread).
func (b *browser) checkBold(t *testing.T, room string, bold bool) {
	t.Helper()
	b.waitFor(t, "#"+room+"'s link to be bold: "+strconv.FormatBool(bold),
		`(Number(getComputedStyle(document.querySelector('nav#rooms a[href="/rooms/`+room+`"]')).fontWeight) >= 700) === `+strconv.FormatBool(bold), 5*time.Second)
}

// openMembers opens a room's member list from its header (the room's name,
// which is a link there on any screen), from the room's page or one of its
// places.
func (b *browser) openMembers(t *testing.T, room string) {
	t.Helper()
	if !b.at(t, "/rooms/"+room) && !b.at(t, "/rooms/"+room+"/members") {
		b.clickThrough(t, "open the room", `nav#rooms a[href="/rooms/`+room+`"]`, `location.pathname === "/rooms/`+room+`"`, 5*time.Second)
	}
	b.clickThrough(t, "click the room's name", `.top a.title`,
		`location.pathname === "/rooms/`+room+`/members" && !!document.getElementById("members-`+room+`")`, 5*time.Second)
}

func (b *browser) at(t *testing.T, path string) bool {
	t.Helper()
	var here string
	b.run(t, "read where the page is", chromedp.Evaluate(`location.pathname`, &here))
	return here == path
}

// checkMembers checks a room's member list: the names, each item with its
// stable id (member-ROOM-USER) and an empty presence mark.
func (b *browser) checkMembers(t *testing.T, room string, want []string) {
	t.Helper()
	b.waitFor(t, "the member list to be "+mustJSON(want), `JSON.stringify(Array.from(document.querySelectorAll("#members-`+room+` li"), (li) =>
		li.id === "member-`+room+`-" + li.dataset.user && li.querySelector(".presence") ? li.querySelector(".name").textContent : "bad item " + li.id)) === `+jsString(mustJSON(want)), 5*time.Second)
}

// leaveRoom leaves a room the page shows, through its member list and the
// question, and waits for the page the person lands on.
func (b *browser) leaveRoom(t *testing.T, room string) {
	t.Helper()
	b.openMembers(t, room)
	b.clickThrough(t, "click Leave", `.leave-link`, `location.pathname === "/rooms/`+room+`/leave"`, 5*time.Second)
	b.clickThrough(t, "click the Leave button", `form.leave button[type="submit"]`, `location.pathname !== "/rooms/`+room+`/leave"`, 10*time.Second)
}

// createAccounts stores accounts straight into the app's database (they
// never sign in: their password hash is not one).
func createAccounts(t *testing.T, app *testApp, names ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	store, err := db.Open(ctx, app.cfg.DatabaseURL, "")
	if err != nil {
		t.Fatalf("open the database to add accounts: %v", err)
	}
	defer store.Close()
	for _, name := range names {
		if _, err := store.CreateUser(ctx, name, "not-a-hash"); err != nil {
			t.Fatalf("add %s: %v", name, err)
		}
	}
}

// placesText is every kind of text on a room's places and in the parts of
// the header and sidebar this feature added.
const placesText = ".top .topic:not(:empty), .top .members-link, .sidebar .none, .sidebar .public .topic, " +
	".place h2, .place p, .place a, .place button, .place input, .members .name, .members .note, .members button"

// checkContrastOf checks the texts sel finds against what is behind them:
// WCAG AA, 4.5:1 (as checkContrast does for the room's page).
func (b *browser) checkContrastOf(t *testing.T, where, sel string) {
	t.Helper()
	var pairs []struct {
		What  string  `json:"what"`
		Ratio float64 `json:"ratio"`
	}
	b.evalJSON(t, "measure the contrast of "+where, `JSON.stringify(Array.from(document.querySelectorAll(`+jsString(sel)+`), (e) => {
		const fg = rgbOf(getComputedStyle(e).color), bg = rgbOf(effectiveBackground(e));
		return {what: e.tagName.toLowerCase() + "." + e.className + " " + JSON.stringify(e.textContent.trim().slice(0, 20)), ratio: contrast(fg, bg)};
	}))`, &pairs)
	if len(pairs) < 5 {
		t.Fatalf("%s: measured only %d texts: %+v", where, len(pairs), pairs)
	}
	for _, p := range pairs {
		if p.Ratio < minContrast {
			t.Errorf("%s: %s has contrast %.2f:1, want at least %v:1", where, p.What, p.Ratio, minContrast)
		}
	}
}
