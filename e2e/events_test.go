package e2e

// Two people edit, delete and react to messages, see each other typing and
// online, and a change made while one of them was offline is there when
// that one's page reconnects.

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

func TestBrowserRoomEvents(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")
	b := newBrowser(t, chromium, "B", "bruno")
	people := []*browser{a, b}
	step := steps(t, &people)

	step("1_both_online", func(t *testing.T) {
		for _, p := range people {
			p.signUp(t, home, p.username, p.username+"-password-123")
			p.waitConnected(t)
		}
		for _, p := range people {
			p.waitFor(t, "both in the online list", `["ana","bruno"].every((n) => document.querySelector("#online [data-name='" + n + "']"))`, 5*time.Second)
		}
		a.typeAndEnter(t, "first words")
		a.typeAndEnter(t, "second thoughts")
		for _, p := range people {
			p.waitTexts(t, "both messages", []string{"first words", "second thoughts"}, 5*time.Second)
		}
	})

	step("2_A_edits_her_message", func(t *testing.T) {
		a.openMenu(t, "first words")
		a.run(t, "edit and save",
			chromedp.Evaluate(msgJS("first words")+`.querySelector(".edit textarea").value = "first words, better"`, nil),
			chromedp.Evaluate(msgJS("first words")+`.querySelector(".edit button").click()`, nil))
		for _, p := range people {
			p.waitTexts(t, "the edited text", []string{"first words, better", "second thoughts"}, 5*time.Second)
			p.waitFor(t, "the edited mark", msgJS("first words, better")+`?.querySelector("header .edited")`, time.Second)
		}
		a.waitFor(t, "the menu to have closed", `!document.querySelector(".msg-menu .actions")`, time.Second)
	})

	step("3_B_may_only_react_and_does", func(t *testing.T) {
		b.openMenu(t, "second thoughts")
		b.waitFor(t, "no edit or delete for another's message", `!document.querySelector(".msg-menu .edit, .msg-menu .delete")`, time.Second)
		b.run(t, "react 🎉", chromedp.Evaluate(`[...document.querySelectorAll(".react-picker button")].find((x) => x.textContent === "🎉").click()`, nil))
		for _, p := range people {
			p.waitFor(t, "the reaction with its count", msgJS("second thoughts")+`?.querySelector(".reactions button")?.textContent.replace(/\s+/g, " ").trim() === "🎉 1"`, 5*time.Second)
			p.waitFor(t, "who reacted", msgJS("second thoughts")+`.querySelector(".reactions button").title === "bruno"`, time.Second)
		}
		// Bruno's own reaction is marked by his stylesheet; ana's page shows
		// the same bytes unmarked.
		const bg = `getComputedStyle(` + `[...document.querySelectorAll("#messages .reactions button")][0]).backgroundColor`
		var mine, theirs string
		if err := b.eval(bg, &mine); err != nil {
			t.Fatal(err)
		}
		if err := a.eval(bg, &theirs); err != nil {
			t.Fatal(err)
		}
		if mine == theirs {
			t.Fatalf("bruno's own reaction looks the same to him as to ana (%s)", mine)
		}
		// Toggling it off from the chip itself.
		b.run(t, "click the chip", chromedp.Evaluate(msgJS("second thoughts")+`.querySelector(".reactions button").click()`, nil))
		for _, p := range people {
			p.waitFor(t, "the reaction gone", msgJS("second thoughts")+` && !`+msgJS("second thoughts")+`.querySelector(".reactions")`, 5*time.Second)
		}
	})

	step("4_typing_shows_and_goes", func(t *testing.T) {
		b.run(t, "type without sending", chromedp.SendKeys(`#composer textarea`, "hmm", chromedp.ByQuery))
		a.waitFor(t, "bruno is typing", `document.querySelector(".typing").dataset.count === "1" && document.getElementById("typing").textContent === "bruno"`, 5*time.Second)
		b.waitFor(t, "his own typing not shown to him", `document.getElementById("typing").children.length === 0`, time.Second)
		a.waitFor(t, "the typing mark gone after he stops", `document.getElementById("typing").children.length === 0 && document.querySelector(".typing").dataset.count === "0"`, 6*time.Second)
		b.run(t, "empty the composer", chromedp.Evaluate(`document.querySelector("#composer textarea").value = ""`, nil))
	})

	step("5_a_change_while_B_is_offline", func(t *testing.T) {
		// A hidden tab is offline: hx-ws closes its socket and opens a new
		// one when the tab is visible again, with the URL as the page last
		// set it (the network emulation of DevTools leaves open sockets
		// alone, so hiding is the way to drop one here).
		b.run(t, "hide the tab", chromedp.Evaluate(setHidden(true), nil))
		b.waitFor(t, "the page to notice", `document.body.dataset.ws !== "connected"`, 15*time.Second)
		a.openMenu(t, "second thoughts")
		a.run(t, "delete it", chromedp.Evaluate(msgJS("second thoughts")+`.querySelector(".delete button").click()`, nil))
		a.waitFor(t, "the stub", `document.querySelector("#messages > .msg.deleted")`, 5*time.Second)
		a.openMenu(t, "first words, better")
		a.run(t, "edit again",
			chromedp.Evaluate(msgJS("first words, better")+`.querySelector(".edit textarea").value = "first words, best"`, nil),
			chromedp.Evaluate(msgJS("first words, better")+`.querySelector(".edit button").click()`, nil))
		a.waitFor(t, "the second edit", msgJS("first words, best"), 5*time.Second)
		b.waitFor(t, "still the old state while offline", msgJS("first words, better"), time.Second)
		b.run(t, "show the tab again", chromedp.Evaluate(setHidden(false), nil))
		b.waitConnected(t)
		b.waitTexts(t, "the current state after reconnecting", []string{"first words, best", ""}, 15*time.Second)
		b.waitFor(t, "the deleted stub", `document.querySelector("#messages > .msg.deleted .body.gone")`, time.Second)
		var label string
		if err := b.eval(`getComputedStyle(document.querySelector(".msg.deleted .body.gone"), "::after").content`, &label); err != nil || label != `"message deleted"` {
			t.Fatalf("the stub says %s (%v), want \"message deleted\"", label, err)
		}
		b.saveScreenshot(t, "room-events")
	})

	step("6_presence_goes_when_the_tab_closes", func(t *testing.T) {
		people = []*browser{a}
		b.run(t, "close the tab", page.Close())
		a.waitFor(t, "bruno gone from the online list", `!document.querySelector("#online [data-name='bruno']") && document.querySelector("#online [data-name='ana']")`, 15*time.Second)
	})
}

// setHidden is the JS that makes the page think its tab was hidden (or
// shown again), as switching tabs does.
func setHidden(hidden bool) string {
	h := "false"
	if hidden {
		h = "true"
	}
	return `Object.defineProperty(document, "hidden", {configurable: true, get: () => ` + h + `});
		Object.defineProperty(document, "visibilityState", {configurable: true, get: () => ` + h + ` ? "hidden" : "visible"});
		document.dispatchEvent(new Event("visibilitychange"))`
}

// TestBrowserTopicChangesLive: a topic set on the member list shows at
// once under the room's name on the pages of everyone in the room, escaped,
// without a reload; a long one still fits a phone's screen.
func TestBrowserTopicChangesLive(t *testing.T) {
	_, a, b := anaAndBob(t)
	b.waitConnected(t)
	b.emulatePhone(t) // no reload: see the phone in TestBrowserDarkThemeFollowsTheSystem
	b.run(t, "set the no-reload marker", chromedp.Evaluate(`window.__charlaMarker = 1`, nil))

	topic := `Release on <Friday> & "cake" after` + strings.Repeat(" and then a longer word", 7) // 195 characters of the 200
	a.openMembers(t, "1")
	a.run(t, "type the topic", chromedp.SendKeys(`form.topic-form input[name="topic"]`, topic, chromedp.ByQuery))
	a.clickThrough(t, "click Save topic", `form.topic-form button[type="submit"]`,
		`location.pathname === "/rooms/1/members" && document.querySelector(".top .topic")?.textContent === `+jsString(topic), 5*time.Second)
	b.waitFor(t, "the new topic under the room's name, live",
		`document.querySelector(".top .title .topic")?.textContent === `+jsString(topic)+` && document.querySelector(".top .title .topic").title === `+jsString(topic), 5*time.Second)
	b.checkNotReloaded(t)
	b.checkFitsPhone(t, "the room with a long topic, live")
	for _, p := range []*browser{a, b} {
		p.checkConsole(t)
	}
}
