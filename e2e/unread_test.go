package e2e

// Browser tests of where a person stopped reading (issue 9, item 4): the
// "new messages" line, the "N new" button, the tab's title and icon.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// longMessage is a message of many lines: three of them are taller than the
// log's view at 1024×768, so opening at the bottom would not show the first.
func longMessage(name string) string {
	lines := make([]string, 12)
	for i := range lines {
		lines[i] = fmt.Sprintf("%s, line %d", name, i+1)
	}
	return strings.Join(lines, "\n")
}

// logState is where the reader's log stands: the "new messages" line (the
// body of the message that carries it, and whether it is in the view), how
// far the newest message is below the view, the jump button, the title.
type logState struct {
	Line       []string `json:"line"`
	LineInView bool     `json:"lineInView"`
	FromBottom float64  `json:"fromBottom"`
	Jump       string   `json:"jump"` // "" when hidden
	Title      string   `json:"title"`
	Icon       string   `json:"icon"`
}

const logStateJS = `(() => {
	const box = document.querySelector(".scroller").getBoundingClientRect();
	const lines = Array.from(document.querySelectorAll("#messages > [data-unread-label]"));
	const r = lines[0]?.getBoundingClientRect();
	const jump = document.querySelector("button.jump");
	return JSON.stringify({
		line: lines.map((m) => m.querySelector(".body").textContent),
		lineInView: !!r && r.top >= box.top - 1 && r.top < box.bottom - 20,
		fromBottom: document.querySelector(".log").getBoundingClientRect().bottom - box.bottom,
		jump: jump && !jump.hidden && getComputedStyle(jump).display !== "none" ? jump.textContent : "",
		title: document.title,
		icon: document.querySelector('link[rel="icon"]')?.getAttribute("href") ?? "",
	});
})()`

func (b *browser) logState(t *testing.T) logState {
	t.Helper()
	var s logState
	b.evalJSON(t, "read the log's state", logStateJS, &s)
	return s
}

// topOf is where the message with this body is, from the top of the log's view.
func (b *browser) topOf(t *testing.T, body string) float64 {
	t.Helper()
	var top float64
	b.run(t, "find "+truncate(body, 20), chromedp.Evaluate(`(() => {
		const m = Array.from(document.querySelectorAll("#messages > .msg")).find((m) => m.querySelector(".body").textContent === `+jsString(body)+`);
		return m.getBoundingClientRect().top - document.querySelector(".scroller").getBoundingClientRect().top;
	})()`, &top))
	return top
}

// TestBrowserUnreadLineAndJumpButton: bruno read #general and went to
// another room; ana wrote three long messages. Bruno opens #general: the
// "new messages" line is above ana's first, in view, and the log is not at
// the bottom. He scrolls up; ana writes two more: the view stays put and a
// "2 new" button appears, which takes him to the bottom and goes. A message
// in the other room shows in the tab's title and icon.
func TestBrowserUnreadLineAndJumpButton(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"

	// Earlier talk, read by both (joining counts it read): enough to scroll up into.
	var earlier []string
	var at []time.Time
	for i := range 20 {
		earlier = append(earlier, fmt.Sprintf("earlier %02d", i))
		at = append(at, time.Now())
	}
	seedDated(t, app, "seeder", earlier, at)

	a := newBrowser(t, chromium, "A", "ana")
	b := newBrowser(t, chromium, "B", "bruno")
	a.signUp(t, home, a.username, a.username+"-password-123")
	side := a.createRoom(t, "side", "public")
	a.run(t, "back to #general", chromedp.Navigate(home+"rooms/1"))
	a.waitConnected(t)

	b.signUp(t, home, b.username, b.username+"-password-123")
	b.waitConnected(t)
	b.waitTexts(t, "the earlier talk", earlier, 5*time.Second)
	if s := b.logState(t); len(s.Line) != 0 || s.Jump != "" || strings.HasPrefix(s.Title, "(") {
		t.Errorf("bruno, everything read: %+v, want no line, no button, no count in the title", s)
	}
	b.run(t, "open #side", chromedp.Navigate(home+"rooms/"+side))
	b.clickThrough(t, "join #side", `main.join form button`, `location.pathname === "/rooms/`+side+`"`, 10*time.Second)
	b.waitConnected(t)

	all := earlier
	news := []string{longMessage("first news"), longMessage("second news"), longMessage("third news")}
	for i, text := range news {
		all = append(all, text)
		a.sendAndSee(t, fmt.Sprintf("ana's message %d", i+1), text, all)
	}

	b.clickThrough(t, "open #general from the sidebar", `nav#rooms a[href="/rooms/1"]`, `location.pathname === "/rooms/1"`, 10*time.Second)
	b.waitConnected(t)
	b.waitTexts(t, "#general with ana's news", all, 5*time.Second)
	s := b.logState(t)
	if len(s.Line) != 1 || s.Line[0] != news[0] {
		t.Errorf("bruno: the new-messages line is above %q, want above ana's first message only", s.Line)
	}
	if !s.LineInView || s.FromBottom < 50 {
		t.Errorf("bruno: the line is in view: %v, the newest message %.0f px below the view; want the line in view and the log not at the bottom", s.LineInView, s.FromBottom)
	}

	// Scrolled up, arrivals do not move the view: a button counts them.
	// Chromium's scroll anchoring would hold the view by itself; Safari has
	// none, so it is turned off here and the page must hold it.
	b.run(t, "turn scroll anchoring off, as in Safari", chromedp.Evaluate(`document.querySelector(".scroller").style.overflowAnchor = "none"`, nil))
	b.run(t, "scroll up a little", chromedp.Evaluate(`document.querySelector(".scroller").scrollBy(0, -120)`, nil))
	time.Sleep(200 * time.Millisecond) // the scroll event
	before := b.topOf(t, news[0])
	for i, text := range []string{"fourth news", "fifth news"} {
		all = append(all, text)
		a.sendAndSee(t, fmt.Sprintf("ana's short message %d", i+1), text, all)
	}
	b.waitTexts(t, "the two new messages", all, 5*time.Second)
	b.waitFor(t, `the "2 new" button`, `document.querySelector("button.jump:not([hidden])")?.textContent === "2 new — jump to latest"`, 5*time.Second)
	if after := b.topOf(t, news[0]); after < before-1 || after > before+1 {
		t.Errorf("bruno, scrolled up: ana's first message moved from %.0f to %.0f px in the view as two arrived below", before, after)
	}
	if s := b.logState(t); !strings.HasPrefix(s.Title, "(2) ") || !strings.HasPrefix(s.Icon, "data:image/png") {
		t.Errorf("bruno, two unseen: the title is %q and the icon %.30q, want (2) and a drawn icon", s.Title, s.Icon)
	}

	b.run(t, "click the button", chromedp.Click(`button.jump`, chromedp.ByQuery))
	b.waitFor(t, "the log at the bottom, the button gone", `(() => {
		const s = JSON.parse(`+logStateJS+`);
		return s.fromBottom <= 1 && s.jump === "" && !s.title.startsWith("(");
	})()`, 5*time.Second)

	// At the bottom, a new message keeps the view there, and counts for nothing.
	all = append(all, "sixth news")
	a.sendAndSee(t, "ana's message at the bottom", "sixth news", all)
	b.waitTexts(t, "the sixth", all, 5*time.Second)
	if s := b.logState(t); s.FromBottom > 1 || s.Jump != "" || strings.HasPrefix(s.Title, "(") {
		t.Errorf("bruno at the bottom, a message arrived: %+v, want still at the bottom, no button, no count", s)
	}

	// A message in the other room: its badge, and the title, count it.
	a.run(t, "open #side", chromedp.Navigate(home+"rooms/"+side))
	a.waitConnected(t)
	a.sendAndSee(t, "ana's message in #side", "over here", []string{"over here"})
	b.waitFor(t, "the title to count the message in #side", `document.title.startsWith("(1) ")`, 5*time.Second)
	if s := b.logState(t); !strings.HasPrefix(s.Icon, "data:image/png") {
		t.Errorf("bruno, one unread in #side: the icon is %.30q, want a drawn one", s.Icon)
	}
	a.checkConsole(t)
	b.checkConsole(t)
}
