package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserSearchFindsMarksAndOpensTheMessage: a person searches from
// the sidebar's box, sees the messages that have the word (in any case and
// accent) with it marked, newest first, and none from a private room of
// someone else's; following a result opens its room at that message, an
// old one no longer on the room's live page, marked as the URL's target and
// in view. The results fit a phone. Screenshots: search-desktop,
// search-phone, search-message.
func TestBrowserSearchFindsMarksAndOpensTheMessage(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")
	b := newBrowser(t, chromium, "B", "bea")
	a.signUp(t, home, a.username, a.username+"-password-123")
	b.signUp(t, home, b.username, b.username+"-password-123")

	// Bea's private room has the word too: Ana must never see it.
	b.createRoom(t, "secreto", "private")
	b.sendAndSee(t, "bea's secret", "La aguja secreta de Bea", []string{"La aguja secreta de Bea"})

	// #general: an old message with the word, a page and more of others
	// after it, and a recent one.
	var msgs []db.NewMessage
	msgs = append(msgs, db.NewMessage{RoomID: db.GeneralRoom, Author: "carla", Body: "¿Alguien vio la Aguja del pajar? Estaba en el <b>cajón</b>."})
	for i := range db.PageSize + 10 {
		msgs = append(msgs, db.NewMessage{RoomID: db.GeneralRoom, Author: "bruno", Body: fmt.Sprintf("Relleno número %d", i)})
	}
	msgs = append(msgs, db.NewMessage{RoomID: db.GeneralRoom, Author: "bruno", Body: "Encontré dos AGUJAS nuevas"})
	seedMessages(t, app, msgs)

	a.run(t, "open #general", chromedp.Navigate(home+"rooms/1"))
	a.waitConnected(t)
	a.run(t, "type into the sidebar's search box",
		chromedp.SendKeys(`#sidebar form.search input[name="q"]`, "ÁGUJA", chromedp.ByQuery))
	a.clickThrough(t, "click Search", `#sidebar form.search button[type="submit"]`,
		`location.pathname === "/search" && document.querySelectorAll(".hits .hit").length > 0`, 10*time.Second)

	var hits []struct {
		Text  string   `json:"text"`
		Marks []string `json:"marks"`
		Room  string   `json:"room"`
		Href  string   `json:"href"`
	}
	a.run(t, "read the results", chromedp.Evaluate(`[...document.querySelectorAll(".hits .hit")].map((h) => ({
		text: h.querySelector(".body").textContent,
		marks: [...h.querySelectorAll("mark")].map((m) => m.textContent),
		room: h.querySelector(".hit-room").textContent,
		href: h.querySelector("a").getAttribute("href"),
	}))`, &hits))
	if len(hits) != 2 {
		t.Fatalf("%d results, want 2 (the two in #general, not bea's private one): %+v", len(hits), hits)
	}
	if hits[0].Text != "Encontré dos AGUJAS nuevas" || strings.Join(hits[0].Marks, ",") != "AGUJAS" || hits[0].Room != "#general" {
		t.Errorf("first (newest) result: %+v", hits[0])
	}
	if !strings.Contains(hits[1].Text, "<b>cajón</b>") || strings.Join(hits[1].Marks, ",") != "Aguja" {
		t.Errorf("second result (its markup shown as text, the word marked): %+v", hits[1])
	}
	a.saveScreenshot(t, "search-desktop")

	// Light and dark: the marked words, the room, the texts keep WCAG AA.
	for _, scheme := range []string{"dark", "light"} {
		a.run(t, "emulate prefers-color-scheme: "+scheme, emulation.SetEmulatedMedia().
			WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}))
		a.checkResultsContrast(t, scheme)
		if scheme == "dark" {
			a.saveScreenshot(t, "search-desktop-dark")
		}
	}

	// Follow the old one: its room opens at it, marked and in view.
	a.clickThrough(t, "click the older result", `.hits .hit:last-child a`,
		`location.pathname === "/rooms/1" && location.search.startsWith("?at=") && !!document.querySelector(".msg:target")`, 10*time.Second)
	a.waitFor(t, "the message to be the page's target, marked and in view", `(() => {
		const m = document.querySelector(".msg:target"), r = m?.getBoundingClientRect();
		return m && m.querySelector(".body").textContent.startsWith("¿Alguien vio la Aguja") &&
			getComputedStyle(m).backgroundColor !== getComputedStyle(document.body).backgroundColor &&
			r.top >= 0 && r.bottom <= innerHeight;
	})()`, 5*time.Second)
	a.saveScreenshot(t, "search-message")

	// The results on a phone: they fit, and the box is on the page.
	a.emulatePhone(t)
	a.run(t, "open the results on a phone", chromedp.Navigate(home+"search?q=aguja"))
	a.waitFor(t, "the results", `document.querySelectorAll(".hits .hit").length === 2`, 5*time.Second)
	a.checkFitsPhone(t, "the results")
	a.saveScreenshot(t, "search-phone")
	a.checkConsole(t)
	b.checkConsole(t)
}

// checkResultsContrast measures the results page's texts against what is
// behind them: each at least minContrast.
func (b *browser) checkResultsContrast(t *testing.T, theme string) {
	t.Helper()
	var pairs []struct {
		What  string  `json:"what"`
		Ratio float64 `json:"ratio"`
	}
	b.evalJSON(t, "measure the results' contrast", `JSON.stringify(Array.from(document.querySelectorAll(
		".hits mark, .hit-room, .hit .author, .hit time, .hit .body, .search-rule, .results .search button"), (e) => ({
		what: e.tagName.toLowerCase() + "." + e.className + " " + JSON.stringify(e.textContent.trim().slice(0, 20)),
		ratio: contrast(rgbOf(getComputedStyle(e).color), rgbOf(effectiveBackground(e))),
	})))`, &pairs)
	if len(pairs) < 8 {
		t.Fatalf("%s: measured only %d texts: %+v", theme, len(pairs), pairs)
	}
	for _, p := range pairs {
		if p.Ratio < minContrast {
			t.Errorf("%s theme: %s has contrast %.2f:1, want at least %v:1", theme, p.What, p.Ratio, minContrast)
		}
	}
}
