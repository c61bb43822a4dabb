package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the reader's zone, whatever the machine has installed

	"github.com/charla/charla/db"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Zones a reader far from the server may be in: the first whose offset is
// not the server's is the reader's.
var readerZones = []string{"Pacific/Kiritimati", "Pacific/Pago_Pago"} // UTC+14, UTC−11

// timeLayout is how Intl shows a time in English ("3:04 PM"); the server
// shows "15:04".
const timeLayout = "3:04 PM"

// What a time's tooltip says in English, in full: "Sunday, November 29,
// 2026 at 12:01:00 AM GMT+14".
const (
	titleDayLayout  = "Monday, January 2, 2006"
	titleTimeLayout = "3:04:05 PM"
)

// TestBrowserDatesAreTheReaders: the reader's browser is in another time
// zone than the server. Each message's time is shown in the reader's zone,
// and the first message of each of the reader's days is labelled "Today",
// "Yesterday" or the date, exactly once a day: on the page as it loads,
// after live messages arrive, and after older history loads above.
func TestBrowserDatesAreTheReaders(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")
	a.signUp(t, home, a.username, a.username+"-password-123")

	zone, loc := readerZone(t)
	now := time.Now().In(loc)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc) // the reader's
	if next := midnight.AddDate(0, 0, 1); next.Sub(now) < time.Minute {
		time.Sleep(next.Sub(now) + time.Second) // not across the reader's midnight
		now, midnight = time.Now().In(loc), next
	}
	t.Logf("the server's zone is %s, the reader's %s (%s)", now.In(time.Local).Format("MST -07:00"), zone, now.Format("MST -07:00"))

	// One message three days ago, a page and a bit two days ago, and the
	// first and last minutes of yesterday, in the reader's zone. Those two
	// are on different days in the server's zone, whatever its offset.
	const twoDaysAgo = db.PageSize
	var at []time.Time
	at = append(at, midnight.AddDate(0, 0, -3).Add(10*time.Hour))
	for i := range twoDaysAgo {
		at = append(at, midnight.AddDate(0, 0, -2).Add(9*time.Hour+time.Duration(i)*time.Minute))
	}
	at = append(at, midnight.AddDate(0, 0, -1).Add(time.Minute), midnight.Add(-time.Minute))
	bodies := make([]string, len(at))
	for i := range at {
		bodies[i] = fmt.Sprintf("dated %02d", i)
	}
	seedDated(t, app, "seeder", bodies, at)

	a.run(t, "emulate the reader's time zone, "+zone, emulation.SetTimezoneOverride(zone))
	a.run(t, "reload", chromedp.Reload())
	a.waitFor(t, "the socket to connect", `document.body.dataset.ws === "connected"`, 10*time.Second)
	shown := bodies[len(bodies)-db.PageSize:] // the newest page: two days ago from #3 on, yesterday
	a.waitTexts(t, "the newest page", shown, 2*time.Second)

	dateOf := func(i int) string { return dayWords(at[i], now) }
	yesterday := len(bodies) - 2
	a.checkDays(t, "the page as it loads", loc, map[string]string{
		bodies[len(bodies)-db.PageSize]: dateOf(len(bodies) - db.PageSize),
		bodies[yesterday]:               "Yesterday",
	})

	// Live messages are today's: the first one begins the day, the second not.
	a.sendAndSee(t, "the first message today", "first today", append(shown, "first today"))
	a.sendAndSee(t, "the second message today", "second today", append(shown, "first today", "second today"))
	a.checkDays(t, "live messages arrived", loc, map[string]string{
		bodies[len(bodies)-db.PageSize]: dateOf(len(bodies) - db.PageSize),
		bodies[yesterday]:               "Yesterday",
		"first today":                   "Today",
	})

	// The older page loads above: three days ago begins, and two days ago
	// begins earlier than it did.
	a.run(t, "scroll the log to the very top", chromedp.Evaluate(`(() => {
		const el = document.querySelector(".scroller");
		el.scrollTop = -el.scrollHeight;
	})()`, nil))
	a.waitTexts(t, "the whole history", append(bodies[:len(bodies):len(bodies)], "first today", "second today"), 5*time.Second)
	a.checkDays(t, "older history loaded", loc, map[string]string{
		bodies[0]:         dateOf(0),
		bodies[1]:         dateOf(1),
		bodies[yesterday]: "Yesterday",
		"first today":     "Today",
	})
	a.checkConsole(t)

	// Without script the page shows the server's own rendering: times and
	// day labels in the server's zone.
	a.run(t, "turn script off and reload", emulation.SetScriptExecutionDisabled(true), chromedp.Reload())
	a.waitFor(t, "the page without script", `document.querySelectorAll("#messages > .msg").length === `+fmt.Sprint(db.PageSize), 5*time.Second)
	a.checkServerDays(t)
	a.checkConsole(t)
}

// checkServerDays checks that each message's time and day label are the
// server's: in its zone, a label on the first message of each of its days.
func (b *browser) checkServerDays(t *testing.T) {
	t.Helper()
	var raw string
	if err := b.eval(`JSON.stringify(Array.from(document.querySelectorAll("#messages > *"), (m) => [
		m.querySelector("time")?.getAttribute("datetime") ?? "", m.querySelector("time")?.textContent ?? "",
		m.dataset.dayLabel ?? "", getComputedStyle(m, "::before").content]))`, &raw); err != nil {
		t.Fatalf("%s: read the messages: %v", b.name, err)
	}
	var shown [][4]string
	if err := json.Unmarshal([]byte(raw), &shown); err != nil {
		t.Fatalf("%s: %v in %s", b.name, err, raw)
	}
	now := time.Now()
	var last time.Time
	labels := 0
	for i, m := range shown {
		at, err := time.Parse(time.RFC3339, m[0])
		if err != nil {
			t.Fatalf("%s: message %d's datetime %q: %v", b.name, i, m[0], err)
		}
		at = at.Local()
		if want := at.Format("15:04"); m[1] != want {
			t.Errorf("%s: without script, message %d (%s) shows %q, want the server's %q", b.name, i, m[0], m[1], want)
		}
		want := ""
		if y, mo, d := at.Date(); i == 0 || y != last.Year() || mo != last.Month() || d != last.Day() {
			switch ny, nm, nd := now.Date(); {
			case y == ny && mo == nm && d == nd:
				want = "Today"
			case at.Format(time.DateOnly) == now.AddDate(0, 0, -1).Format(time.DateOnly):
				want = "Yesterday"
			default:
				want = dayWords(at, now)
			}
			labels++
		}
		last = at
		drawn := "none"
		if want != "" {
			drawn = jsString(want)
		}
		if m[2] != want || m[3] != drawn {
			t.Errorf("%s: without script, message %d (%s) is labelled %q (drawn: %s), want the server's %q", b.name, i, m[0], m[2], m[3], want)
		}
	}
	t.Logf("%s: without script, %d messages under %d day labels", b.name, len(shown), labels)
}

// readerZone picks a zone whose offset now is not the server's.
func readerZone(t *testing.T) (string, *time.Location) {
	t.Helper()
	_, server := time.Now().Zone()
	for _, name := range readerZones {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatalf("load %s: %v", name, err)
		}
		if _, off := time.Now().In(loc).Zone(); off != server {
			return name, loc
		}
	}
	t.Fatalf("the server's zone has the offset of each of %q", readerZones)
	return "", nil
}

// dayWords is what a day that is neither today nor yesterday is called in
// English: what Intl says for the reader's locale "en".
func dayWords(at, now time.Time) string {
	if at.Year() != now.Year() {
		return at.Format("Monday, January 2, 2006")
	}
	return at.Format("Monday, January 2")
}

// checkDays waits until exactly the messages in labels (by body) carry a day
// label, each the one given, and it is drawn; and checks that each message's
// time reads as in loc.
func (b *browser) checkDays(t *testing.T, when string, loc *time.Location, labels map[string]string) {
	t.Helper()
	type shownDate struct {
		Body     string `json:"body"`
		Label    string `json:"label"`
		Drawn    string `json:"drawn"`
		Datetime string `json:"datetime"`
		Time     string `json:"time"`
		Title    string `json:"title"`
	}
	read := func() ([]shownDate, error) {
		var raw string
		if err := b.eval(`JSON.stringify(Array.from(document.querySelectorAll("#messages > *"), (m) => ({
			body: m.querySelector(".body")?.textContent ?? "",
			label: m.dataset.dayLabel ?? "",
			drawn: getComputedStyle(m, "::before").content,
			datetime: m.querySelector("time")?.getAttribute("datetime") ?? "",
			time: (m.querySelector("time")?.textContent ?? "").replace(/\s/g, " "),
			title: (m.querySelector("time")?.title ?? "").replace(/\s/g, " "),
		})))`, &raw); err != nil {
			return nil, err
		}
		var out []shownDate
		return out, json.Unmarshal([]byte(raw), &out)
	}
	problems := func(shown []shownDate) []string {
		var out []string
		seen := map[string]bool{}
		for _, m := range shown {
			want := labels[m.Body]
			if m.Label != want {
				out = append(out, fmt.Sprintf("%q is labelled %q, want %q", m.Body, m.Label, want))
			}
			if m.Label != "" {
				if seen[m.Label] {
					out = append(out, fmt.Sprintf("%q: a second %q", m.Body, m.Label))
				}
				seen[m.Label] = true
			}
			drawn := "none"
			if want != "" {
				drawn = jsString(want)
			}
			if m.Drawn != drawn {
				out = append(out, fmt.Sprintf("%q: the label drawn above it is %s, want %s", m.Body, m.Drawn, drawn))
			}
			at, err := time.Parse(time.RFC3339, m.Datetime)
			if err != nil {
				out = append(out, fmt.Sprintf("%q: datetime %q: %v", m.Body, m.Datetime, err))
			} else if want := at.In(loc).Format(timeLayout); m.Time != want {
				out = append(out, fmt.Sprintf("%q (%s) shows the time %q, want %q in the reader's zone", m.Body, m.Datetime, m.Time, want))
			} else if day, clock := at.In(loc).Format(titleDayLayout), at.In(loc).Format(titleTimeLayout); !strings.Contains(m.Title, day) || !strings.Contains(m.Title, clock) {
				out = append(out, fmt.Sprintf("%q (%s): its time's tooltip is %q, want %q and %q in it", m.Body, m.Datetime, m.Title, day, clock))
			}
		}
		return out
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		shown, err := read()
		var found []string
		if err == nil {
			found = problems(shown)
			if len(found) == 0 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s:\n  %s\n(last error: %v)", b.name, when, strings.Join(found, "\n  "), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
