package e2e

// Browser tests of what a person sees: the page on a phone's width, the
// dark theme, the page without script. They save screenshots under
// tmp/screenshots/ (git-ignored); the current ones are committed under
// docs/screens/ for the README.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// A phone the tests emulate: 390×844 CSS pixels (iPhone 12 to 15), a
// mobile viewport that honours the page's viewport meta tag. The scale
// only sets the screenshots' resolution.
const (
	phoneWidth  = 390
	phoneHeight = 844
	phoneScale  = 2
)

// minContrast is WCAG AA's contrast for body text.
const minContrast = 4.5

// TestBrowserPhoneLayoutFitsTheScreen: on a phone's screen the page is laid
// out at the screen's width (nothing scrolls sideways, nothing is zoomed
// out), the log and the composer take the width, the header keeps to one
// line, and the sidebar folds behind the Rooms button, which opens it over
// the page; its forms and links work from there.
func TestBrowserPhoneLayoutFitsTheScreen(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")
	a.emulatePhone(t)

	a.run(t, "open "+home, chromedp.Navigate(home))
	a.waitFor(t, "the sign-in form", `location.pathname === "/signin"`, 5*time.Second)
	a.checkFitsPhone(t, "the sign-in page")
	a.saveScreenshot(t, "signin-phone")

	a.signUp(t, home, a.username, a.username+"-password-123")
	seedConversation(t, app, db.GeneralRoom)
	a.run(t, "reload to show the seeded conversation", chromedp.Reload())
	a.waitConnected(t)
	a.checkFitsPhone(t, "#general")
	a.checkChatTakesTheWidth(t)
	a.checkSidebarFolded(t)

	// The sidebar's forms work from the opened sidebar.
	a.openSidebar(t)
	design := a.createRoom(t, "design", "public")
	a.checkFitsPhone(t, "#design")
	a.checkChatTakesTheWidth(t)
	a.checkSidebarFolded(t)

	// Open and close with the buttons; a room's link in it works.
	a.openSidebar(t)
	a.run(t, "click Close", chromedp.Click(`#sidebar .close`, chromedp.ByQuery))
	a.checkSidebarFolded(t)
	a.openSidebar(t)
	a.run(t, "click Rooms again", chromedp.Evaluate(`document.querySelector(".menu").click()`, nil)) // under the open sidebar for a finger; the button itself toggles
	a.checkSidebarFolded(t)
	a.openSidebar(t)
	a.clickThrough(t, "click #general in the sidebar", `#sidebar nav#rooms a[href="/rooms/1"]`,
		`location.pathname === "/rooms/1" && document.querySelector("h1.room")?.textContent.trim() === "#general"`, 5*time.Second)
	a.waitConnected(t)
	a.checkSidebarFolded(t)

	// The composer sends at this width too.
	a.typeAndEnter(t, "Sent from a phone")
	a.waitFor(t, "the message to be shown", `[...document.querySelectorAll("#messages .body")].some((b) => b.textContent === "Sent from a phone")`, 5*time.Second)
	a.waitPendingEmpty(t, 5*time.Second)
	a.checkFitsPhone(t, "#general after sending")
	a.checkChatTakesTheWidth(t)

	// Unread messages in a folded sidebar: a dot on the Rooms button.
	designID, err := strconv.ParseInt(design, 10, 64)
	if err != nil {
		t.Fatalf("the room's id %q: %v", design, err)
	}
	seedMessages(t, app, []db.NewMessage{{RoomID: designID, Author: "carla", Body: "Mockups for the phone layout are up."}})
	a.run(t, "reload to see the unread count", chromedp.Reload())
	a.waitConnected(t)
	a.waitFor(t, "a dot on the Rooms button for the unread room",
		`document.getElementById("unread-`+design+`")?.textContent.trim() === "1" && getComputedStyle(document.querySelector(".menu"), "::after").content !== "none"`, 5*time.Second)
	a.checkFitsPhone(t, "#general with an unread room")
	a.saveScreenshot(t, "room-phone-light")
	a.openSidebar(t)
	a.saveScreenshot(t, "room-phone-sidebar")
	a.run(t, "click Close", chromedp.Click(`#sidebar .close`, chromedp.ByQuery))
	a.checkSidebarFolded(t)

	// The narrowest and widest phones in common use fit too.
	for _, width := range []int64{360, 430} {
		a.run(t, fmt.Sprintf("emulate a %d px phone", width),
			chromedp.EmulateViewport(width, phoneHeight, chromedp.EmulateScale(phoneScale), chromedp.EmulateMobile))
		a.checkFits(t, fmt.Sprintf("#general at %d px", width), width)
		a.checkChatTakesTheWidth(t)
		a.checkSidebarFolded(t)
	}
	a.checkConsole(t)
}

// TestBrowserDarkThemeFollowsTheSystem: with the system's dark preference
// the page is dark with light text, and every kind of text on it keeps
// WCAG AA contrast against what is behind it, as in the light theme.
func TestBrowserDarkThemeFollowsTheSystem(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")

	a.run(t, "open "+home, chromedp.Navigate(home))
	a.waitFor(t, "the sign-in form", `location.pathname === "/signin"`, 5*time.Second)
	a.saveScreenshot(t, "signin-desktop")
	a.signUp(t, home, a.username, a.username+"-password-123")
	// An unread message in another room, for its badge.
	design := a.createRoom(t, "design", "public")
	designID, err := strconv.ParseInt(design, 10, 64)
	if err != nil {
		t.Fatalf("the room's id %q: %v", design, err)
	}
	a.clickThrough(t, "go back to #general", `nav#rooms a[href="/rooms/1"]`, `location.pathname === "/rooms/1"`, 5*time.Second)
	seedConversation(t, app, db.GeneralRoom)
	seedMessages(t, app, []db.NewMessage{{RoomID: designID, Author: "carla", Body: "Mockups for the phone layout are up."}})
	a.run(t, "reload to show the seeded conversation", chromedp.Reload())
	a.waitConnected(t)
	a.waitFor(t, "the other room's unread badge", `document.getElementById("unread-`+design+`")?.textContent.trim() === "1"`, 5*time.Second)
	a.checkBadgeSaysUnread(t, "1")

	for _, scheme := range []string{"light", "dark"} {
		a.run(t, "emulate prefers-color-scheme: "+scheme, emulation.SetEmulatedMedia().
			WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}))
		var colours struct{ Background, Text []float64 }
		a.evalJSON(t, "read the page's colours", `JSON.stringify({background: rgbOf(effectiveBackground(document.body)), text: rgbOf(getComputedStyle(document.body).color)})`, &colours)
		bg, fg := luminance(colours.Background), luminance(colours.Text)
		t.Logf("%s: background %v (luminance %.3f), text %v (luminance %.3f)", scheme, colours.Background, bg, colours.Text, fg)
		if dark := bg < fg; dark != (scheme == "dark") {
			t.Errorf("%s theme: the background's luminance is %.3f and the text's %.3f, want a %s background", scheme, bg, fg, scheme)
		}
		if scheme == "dark" && (bg > 0.05 || fg < 0.6) {
			t.Errorf("dark theme: background luminance %.3f (want ≤ 0.05), text %.3f (want ≥ 0.6)", bg, fg)
		}
		a.checkContrast(t, scheme)
		a.saveScreenshot(t, "room-desktop-"+scheme)
	}

	a.checkConsole(t)

	// The phone, in the dark: a second person whose phone is set so from
	// the start. (Changing a tab's emulated screen and reloading sometimes
	// left htmx uninitialised in headless Chromium: its setTimeout never ran.)
	b := newBrowser(t, chromium, "B", "bruno")
	b.emulatePhone(t)
	b.run(t, "emulate prefers-color-scheme: dark", emulation.SetEmulatedMedia().
		WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}))
	b.signUp(t, home, b.username, b.username+"-password-123")
	b.waitConnected(t)
	b.checkFitsPhone(t, "#general, dark")
	b.checkContrast(t, "dark, phone")
	b.saveScreenshot(t, "room-phone-dark")
	b.checkConsole(t)
}

// TestBrowserPageWithoutScript: without JavaScript the page says it is not
// live, does not promise that Enter sends, and on a phone the sidebar still
// opens and its links work (a popover needs no script).
func TestBrowserPageWithoutScript(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")
	a.signUp(t, home, a.username, a.username+"-password-123")
	a.createRoom(t, "design", "public")
	a.checkAccessibleMarkup(t, "#design")

	a.emulatePhone(t)
	a.run(t, "turn script off and reload", emulation.SetScriptExecutionDisabled(true), chromedp.Reload())
	a.waitFor(t, "the page without script", `document.readyState === "complete" && document.querySelector("h1.room")?.textContent.trim() === "#design"`, 5*time.Second)
	a.waitFor(t, "the header to say live updates need script",
		`document.querySelector("header.top .noscript")?.checkVisibility() && /JavaScript/.test(document.querySelector("header.top .noscript").textContent)`, time.Second)
	a.waitFor(t, "no endless \"connecting…\"", `!document.getElementById("status").checkVisibility()`, time.Second)
	var placeholder string
	a.run(t, "read the composer's placeholder", chromedp.Evaluate(`document.querySelector("#composer textarea").placeholder`, &placeholder))
	if placeholder != "Message #design" {
		t.Errorf("without script the placeholder reads %q, want %q (Enter is a new line there)", placeholder, "Message #design")
	}
	a.checkFitsPhone(t, "#design without script")
	a.saveScreenshot(t, "room-phone-noscript")
	a.openSidebar(t)
	a.clickThrough(t, "click #general in the sidebar", `#sidebar nav#rooms a[href="/rooms/1"]`,
		`location.pathname === "/rooms/1" && document.querySelector("h1.room")?.textContent.trim() === "#general"`, 5*time.Second)
	a.checkSidebarFolded(t)

	// (Not waiting for the socket: after a change of emulation, a reload
	// sometimes leaves htmx uninitialised in headless Chromium.)
	a.run(t, "turn script on and reload", emulation.SetScriptExecutionDisabled(false), chromedp.Reload())
	a.waitFor(t, "the placeholder to say that Enter sends", `/Enter sends/.test(document.querySelector("#composer textarea").placeholder)`, 5*time.Second)
	a.checkConsole(t)
}

// checkAccessibleMarkup checks what a screen reader relies on: a skip link
// first, the room's name as the page's heading, the current room marked in
// the sidebar, and unread badges that say "unread".
func (b *browser) checkAccessibleMarkup(t *testing.T, room string) {
	t.Helper()
	var got struct {
		FirstFocusable string `json:"firstFocusable"`
		SkipTarget     bool   `json:"skipTarget"`
		H1             string `json:"h1"`
		Current        string `json:"current"`
	}
	b.evalJSON(t, "read the page's landmarks", `JSON.stringify({
		firstFocusable: document.querySelector("a[href], button, input, textarea, select")?.outerHTML ?? "",
		skipTarget: !!document.querySelector("a.skip") && !!document.querySelector(document.querySelector("a.skip").getAttribute("href") + " #composer"),
		h1: Array.from(document.querySelectorAll("h1"), (h) => h.textContent.trim()).join(" | "),
		current: Array.from(document.querySelectorAll('nav#rooms a[aria-current="page"]'), (a) => a.textContent.trim()).join(" | "),
	})`, &got)
	if !strings.Contains(got.FirstFocusable, `class="skip"`) || !got.SkipTarget {
		t.Errorf("%s: the first focusable element is %s (skip link target holds the composer: %v), want a skip link to the conversation", b.name, got.FirstFocusable, got.SkipTarget)
	}
	if got.H1 != room {
		t.Errorf("%s: the page's h1 reads %q, want the room's name %q", b.name, got.H1, room)
	}
	if got.Current != room {
		t.Errorf("%s: the sidebar's aria-current link reads %q, want %q", b.name, got.Current, room)
	}
}

// checkBadgeSaysUnread checks that a screen reader hears the unread badge
// as "N unread", not as a bare number, in the page's accessibility tree.
func (b *browser) checkBadgeSaysUnread(t *testing.T, n string) {
	t.Helper()
	// Read raw: cdproto's types reject reasons newer than they know.
	type axValue struct {
		Value any `json:"value"`
	}
	var tree struct {
		Nodes []struct {
			Role *axValue `json:"role"`
			Name *axValue `json:"name"`
		} `json:"nodes"`
	}
	b.run(t, "read the accessibility tree", chromedp.ActionFunc(func(ctx context.Context) error {
		return cdp.Execute(ctx, accessibility.CommandGetFullAXTree, nil, &tree)
	}))
	var texts []string
	for _, node := range tree.Nodes {
		if node.Role == nil || node.Name == nil || node.Role.Value != "StaticText" {
			continue
		}
		if name, _ := node.Name.Value.(string); strings.TrimSpace(name) != "" {
			texts = append(texts, strings.TrimSpace(name))
		}
	}
	joined := strings.Join(texts, " ")
	if !strings.Contains(joined, "#design "+n+" unread") {
		t.Errorf("%s: the accessibility tree's texts read %q, want \"#design %s unread\"", b.name, truncate(joined, 400), n)
	}
}

// emulatePhone makes the tab a phone's screen from the next layout on.
func (b *browser) emulatePhone(t *testing.T) {
	t.Helper()
	b.run(t, fmt.Sprintf("emulate a %d×%d phone", phoneWidth, phoneHeight),
		chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateScale(phoneScale), chromedp.EmulateMobile))
}

// checkFitsPhone checks that the page is laid out at the phone's width:
// a page wider than its viewport meta allows is zoomed out on a phone
// (innerWidth grows with it), and its document's scrollWidth tells.
func (b *browser) checkFitsPhone(t *testing.T, where string) {
	t.Helper()
	b.checkFits(t, where, phoneWidth)
}

// checkFits is checkFitsPhone on a screen width px wide.
func (b *browser) checkFits(t *testing.T, where string, width int64) {
	t.Helper()
	var got struct {
		Screen      float64  `json:"screen"`
		ScrollWidth float64  `json:"scrollWidth"`
		Outside     []string `json:"outside"`
		Header      float64  `json:"header"`
	}
	b.evalJSON(t, "measure the page", `JSON.stringify({
		screen: screen.width,
		scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
		outside: Array.from(document.querySelectorAll("header.top > *, #chat, #composer > *"), (e) => [e, e.getBoundingClientRect()])
			.filter(([e, r]) => r.width > 0 && (r.left < 0 || r.right > screen.width))
			.map(([e, r]) => e.tagName + "." + e.className + " " + Math.round(r.left) + "–" + Math.round(r.right)),
		header: (() => { // the line of buttons; the no-script note is a line of its own
			const h = document.querySelector("header.top"), top = h?.getBoundingClientRect().top;
			if (!h) return 0;
			return Math.max(0, ...Array.from(h.children, (e) => e.tagName === "NOSCRIPT" ? 0 : e.getBoundingClientRect().bottom - top));
		})(),
	})`, &got)
	if got.Screen != float64(width) {
		t.Fatalf("%s: screen.width is %v, want the emulated %d", where, got.Screen, width)
	}
	if got.ScrollWidth > got.Screen {
		t.Errorf("%s: the document is %v px wide on a %v px screen, want no wider (no sideways scrolling or zoom-out)", where, got.ScrollWidth, got.Screen)
	}
	if len(got.Outside) > 0 {
		t.Errorf("%s: elements reach outside the screen: %q", where, got.Outside)
	}
	// One line of buttons is about 45 px; two lines would eat the log.
	if maxHeader := 60.0; got.Header > maxHeader {
		t.Errorf("%s: the header is %v px tall, want at most %v (one line)", where, got.Header, maxHeader)
	}
}

// checkChatTakesTheWidth checks that the log and composer fill the screen
// (today's page gave the sidebar 60% and the composer ~80 px).
func (b *browser) checkChatTakesTheWidth(t *testing.T) {
	t.Helper()
	var got struct{ Log, Composer, Textarea, Screen float64 }
	b.evalJSON(t, "measure the log and composer", `JSON.stringify({
		screen: screen.width,
		log: document.querySelector("#chat .scroller").getBoundingClientRect().width,
		composer: document.getElementById("composer").getBoundingClientRect().width,
		textarea: document.querySelector("#composer textarea").getBoundingClientRect().width,
	})`, &got)
	const most = 0.9      // of the screen, for the log and the composer
	const textarea = 0.65 // what is left beside the Send button
	if got.Log < most*got.Screen || got.Composer < most*got.Screen || got.Textarea < textarea*got.Screen {
		t.Errorf("on a %v px screen the log is %v px, the composer %v px, its textarea %v px; want at least %v%%, %v%%, %v%%",
			got.Screen, got.Log, got.Composer, got.Textarea, most*100, most*100, textarea*100)
	}
}

func (b *browser) checkSidebarFolded(t *testing.T) {
	t.Helper()
	b.waitFor(t, "the sidebar to be folded and the Rooms button shown",
		`!document.getElementById("sidebar").checkVisibility() && document.querySelector(".menu").checkVisibility()`, 2*time.Second)
}

// openSidebar clicks the Rooms button and waits until the sidebar is over
// the page, within the screen.
func (b *browser) openSidebar(t *testing.T) {
	t.Helper()
	b.run(t, "click Rooms", chromedp.Click(`.menu`, chromedp.ByQuery))
	b.waitFor(t, "the sidebar to open over the page", `(() => {
		const s = document.getElementById("sidebar"), r = s.getBoundingClientRect();
		return s.checkVisibility() && r.left >= 0 && r.right <= screen.width && r.width >= 0.6 * screen.width &&
			document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)?.closest("#sidebar") === s;
	})()`, 2*time.Second)
}

// checkContrast checks each kind of text on the page against the colour
// behind it: WCAG AA, 4.5:1.
func (b *browser) checkContrast(t *testing.T, theme string) {
	t.Helper()
	var pairs []struct {
		What  string  `json:"what"`
		Ratio float64 `json:"ratio"`
		Fg    string  `json:"fg"`
		Bg    string  `json:"bg"`
	}
	b.evalJSON(t, "measure the contrast of the page's texts", `JSON.stringify(Array.from(document.querySelectorAll(
		"h1.room, .me, .status, .signout a, .signout button, nav#rooms a, nav#rooms .unread:not(:empty), .sidebar h2, .sidebar button, " +
		".older, .author, time, #messages .body, #composer textarea, #composer button"), (e) => [e, getComputedStyle(e).color]).concat(
		Array.from(document.querySelectorAll("#composer textarea"), (e) => [e, getComputedStyle(e, "::placeholder").color, "::placeholder"])
	).map(([e, color, pseudo]) => {
		const fg = rgbOf(color), bg = rgbOf(effectiveBackground(e));
		return {what: e.tagName.toLowerCase() + "." + e.className + (pseudo ?? "") + " " + JSON.stringify(e.textContent.trim().slice(0, 20)),
			ratio: contrast(fg, bg), fg: fg.join(","), bg: bg.join(",")};
	}))`, &pairs)
	if len(pairs) < 10 {
		t.Fatalf("%s: measured only %d texts: %+v", theme, len(pairs), pairs)
	}
	seen := map[string]bool{}
	for _, p := range pairs {
		if p.Ratio < minContrast {
			t.Errorf("%s theme: %s is rgb(%s) on rgb(%s), contrast %.2f:1, want at least %v:1", theme, p.What, p.Fg, p.Bg, p.Ratio, minContrast)
		}
		if key := fmt.Sprintf("%s on %s", p.Fg, p.Bg); !seen[key] {
			seen[key] = true
			t.Logf("%s theme: rgb(%s) on rgb(%s): %.2f:1 (%s)", theme, p.Fg, p.Bg, p.Ratio, p.What)
		}
	}
}

// colourJS is put in scope of every evalJSON: colour maths for the checks
// above, in WCAG 2's terms.
const colourJS = `
function rgbOf(css) {
	const m = css.match(/[\d.]+/g).map(Number);
	return m.length > 3 && m[3] === 0 ? null : m.slice(0, 3);
}
function effectiveBackground(e) {
	for (; e; e = e.parentElement) {
		const c = rgbOf(getComputedStyle(e).backgroundColor);
		if (c) return getComputedStyle(e).backgroundColor;
	}
	return "rgb(255, 255, 255)";
}
function luminance(rgb) {
	const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
	return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a, b) {
	const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
	return (x + 0.05) / (y + 0.05);
}
`

// evalJSON evaluates js, which returns a JSON string, into v, with the
// colour functions above in scope.
func (b *browser) evalJSON(t *testing.T, what, js string, v any) {
	t.Helper()
	var raw string
	b.run(t, what, chromedp.Evaluate(`(() => {`+colourJS+` return `+js+`; })()`, &raw))
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		t.Fatalf("%s: %s: %v in %s", b.name, what, err, raw)
	}
}

// luminance is WCAG 2's relative luminance of an sRGB colour (0–255).
func luminance(rgb []float64) float64 {
	if len(rgb) != 3 {
		return -1
	}
	var l [3]float64
	for i, v := range rgb {
		v /= 255
		if v <= 0.03928 {
			l[i] = v / 12.92
		} else {
			l[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}

// seedConversation stores a short conversation among three people in room,
// straight into the database beside the running server: enough to see how
// messages look (a long link included). A reload shows it.
func seedConversation(t *testing.T, app *testApp, room int64) {
	t.Helper()
	msgs := []db.NewMessage{
		{Author: "bruno", Body: "Morning! Did the deploy go out?"},
		{Author: "carla", Body: "Yes, at 9:40. The release notes: https://example.com/charla/releases/2026-12-01-phone-layout-and-dark-theme?utm_source=chat"},
		{Author: "ana", Body: "¡Genial! Tried it on my phone on the way in: no more sideways scrolling."},
		{Author: "bruno", Body: "Dark mode too?\nIt follows the system setting now."},
		{Author: "carla", Body: "Both. Screenshots are in docs/screens."},
	}
	for i := range msgs {
		msgs[i].RoomID = room
	}
	seedMessages(t, app, msgs)
}

// seedMessages stores msgs straight into the app's database (WAL lets this
// connection write beside the server's).
func seedMessages(t *testing.T, app *testApp, msgs []db.NewMessage) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	store, err := db.Open(ctx, app.cfg.DatabaseURL, "")
	if err != nil {
		t.Fatalf("open the database to seed it: %v", err)
	}
	for i := range msgs {
		msgs[i].Key = fmt.Sprintf("layout-seed-%d-%d", time.Now().UnixNano(), i)
	}
	_, err = store.CreateMessages(ctx, msgs)
	if cerr := store.Close(); cerr != nil {
		t.Errorf("close the seeding connection: %v", cerr)
	}
	if err != nil {
		t.Fatalf("seed %d messages: %v", len(msgs), err)
	}
}

// saveScreenshot saves the viewport as tmp/screenshots/NAME.png at the
// module's root (git-ignored), replacing the last run's.
func (b *browser) saveScreenshot(t *testing.T, name string) {
	t.Helper()
	var png []byte
	b.run(t, "take a screenshot", chromedp.CaptureScreenshot(&png))
	dir := filepath.Join(moduleRoot(t), "tmp", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("save screenshot: %v", err)
		return
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("save screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", path)
}

// moduleRoot is the folder of go.mod, above the test's working directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}
