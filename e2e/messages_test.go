package e2e

// Messages read like a chat: one person's messages in a row are grouped
// under one name, each person has initials on a colour of their own,
// addresses are links and `code` is code, and nothing else typed becomes
// markup.

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// avatarColours is how many colours charla.css's avatar palette has
// (views.avatarColours).
const avatarColours = 12

// TestBrowserMessagesReadLikeAChat: ana's message from ten minutes ago
// stands alone; her three messages now are one group (one name, one set of
// initials); bruno's begin a group of his own. Both see the same, live, on
// a reload, and without script (the server's grouping). ana's address is a
// link that opens in a new tab without a handle on this one; `make test` is
// inline code, a ``` block is a code box, and the markup in it is text.
func TestBrowserMessagesReadLikeAChat(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "ana")
	b := newBrowser(t, chromium, "B", "bruno")

	// Not across midnight: a day's first message always begins a group.
	now := time.Now()
	if next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.Local); next.Sub(now) < 2*time.Minute {
		time.Sleep(next.Sub(now) + time.Second)
	}
	seedDated(t, app, "ana", []string{"from ten minutes ago"}, []time.Time{time.Now().Add(-10 * time.Minute)})

	for _, p := range []*browser{a, b} {
		p.signUp(t, home, p.username, p.username+"-password-123")
		p.waitConnected(t)
	}
	link := home + "rooms/1?from=link"
	shown := []string{"from ten minutes ago"}
	for _, m := range []struct{ typed, shown string }{
		{"first from ana", "first from ana"},
		{"the room: " + link + ".", "the room: " + link + "."},
		{"run `make test` first", "run make test first"},
	} {
		shown = append(shown, m.shown)
		a.sendAndSee(t, "ana's "+m.typed, m.typed, shown)
	}
	for _, m := range []struct{ typed, shown string }{
		{"bruno here", "bruno here"},
		{"```\n<b>not bold</b> https://example.com\n```", "<b>not bold</b> https://example.com"},
	} {
		shown = append(shown, m.shown)
		b.sendAndSee(t, "bruno's "+m.typed, m.typed, shown)
	}
	a.waitTexts(t, "bruno's messages", shown, 5*time.Second)

	want := shownGroups{
		Names:    []string{"ana", "ana", "", "", "bruno", ""},
		Initials: []string{"A", "A", "", "", "B", ""},
		Grouped:  []bool{false, false, true, true, false, true},
	}
	for _, p := range []*browser{a, b} {
		p.checkGroups(t, "live", want)
		p.checkLinkAndCode(t, link)
		p.checkConsole(t)
	}
	a.checkLinkOpensApart(t, link)
	for _, scheme := range []string{"light", "dark"} {
		a.run(t, "emulate prefers-color-scheme: "+scheme, emulation.SetEmulatedMedia().
			WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}))
		a.checkAvatarContrast(t, scheme)
		a.saveScreenshot(t, "messages-desktop-"+scheme)
	}

	a.run(t, "reload", chromedp.Reload())
	a.waitConnected(t)
	a.waitTexts(t, "the page after a reload", shown, 5*time.Second)
	a.checkGroups(t, "after a reload", want)
	a.checkLinkAndCode(t, link)

	a.run(t, "turn script off and reload", emulation.SetScriptExecutionDisabled(true), chromedp.Reload())
	a.waitFor(t, "the page without script", `document.querySelectorAll("#messages > .msg").length === `+fmt.Sprint(len(shown)), 5*time.Second)
	a.checkGroups(t, "without script", want)
	a.checkLinkAndCode(t, link)
	a.checkConsole(t)
}

// shownGroups is what a person sees of the groups in #messages, message by
// message: the name and the initials shown ("" when hidden), and whether
// it carries data-grouped.
type shownGroups struct {
	Names    []string `json:"names"`
	Initials []string `json:"initials"`
	Grouped  []bool   `json:"grouped"`
}

// checkGroups waits until #messages shows want.
func (b *browser) checkGroups(t *testing.T, when string, want shownGroups) {
	t.Helper()
	var got shownGroups
	deadline := time.Now().Add(2 * time.Second)
	for {
		b.evalJSON(t, "read the groups", `JSON.stringify((() => {
			const seen = (e) => { const r = e?.getBoundingClientRect(); return !!e && e.checkVisibility() && r.width > 1 && r.height > 1; };
			const ms = [...document.querySelectorAll("#messages > .msg")];
			return {
				names: ms.map((m) => seen(m.querySelector(".author")) ? m.querySelector(".author").textContent : ""),
				initials: ms.map((m) => seen(m.querySelector(".avatar")) ? m.querySelector(".avatar").textContent : ""),
				grouped: ms.map((m) => m.hasAttribute("data-grouped")),
			};
		})())`, &got)
		if slices.Equal(got.Names, want.Names) && slices.Equal(got.Initials, want.Initials) && slices.Equal(got.Grouped, want.Grouped) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s: #messages shows\n  names %q, initials %q, grouped %v\nwant\n  names %q, initials %q, grouped %v",
				b.name, when, got.Names, got.Initials, got.Grouped, want.Names, want.Initials, want.Grouped)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkLinkAndCode checks that ana's address is the one link in the
// messages (without the full stop after it), with its rel and target, on
// top where it is shown; that `make test` is inline code and bruno's block
// a code box whose markup and address are text.
func (b *browser) checkLinkAndCode(t *testing.T, link string) {
	t.Helper()
	var got struct {
		Links  [][4]string `json:"links"`
		OnTop  bool        `json:"onTop"`
		Inline []string    `json:"inline"`
		Blocks [][2]string `json:"blocks"`
		Markup int         `json:"markup"`
	}
	b.evalJSON(t, "read the links and code", `JSON.stringify((() => {
		const links = [...document.querySelectorAll("#messages .body a")];
		const l = links[0];
		l?.scrollIntoView({block: "center"});
		const r = l?.getBoundingClientRect();
		return {
			links: links.map((a) => [a.getAttribute("href"), a.textContent, a.rel, a.target]),
			onTop: !!r && document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === l,
			inline: [...document.querySelectorAll("#messages .body code:not(.block)")].map((c) => c.textContent),
			blocks: [...document.querySelectorAll("#messages .body code.block")].map((c) => [c.textContent, getComputedStyle(c).display]),
			markup: document.querySelectorAll("#messages .body :not(a, code)").length,
		};
	})())`, &got)
	if want := [][4]string{{link, link, "noopener nofollow ugc", "_blank"}}; !slices.Equal(got.Links, want) {
		t.Errorf("%s: links in #messages (href, text, rel, target): %q, want %q", b.name, got.Links, want)
	}
	if !got.OnTop {
		t.Errorf("%s: the link is not what a click at its middle reaches", b.name)
	}
	if want := []string{"make test"}; !slices.Equal(got.Inline, want) {
		t.Errorf("%s: inline code %q, want %q", b.name, got.Inline, want)
	}
	if want := [][2]string{{"<b>not bold</b> https://example.com", "block"}}; !slices.Equal(got.Blocks, want) {
		t.Errorf("%s: code blocks (text, display) %q, want %q", b.name, got.Blocks, want)
	}
	if got.Markup != 0 {
		t.Errorf("%s: %d elements in message bodies besides links and code, want 0", b.name, got.Markup)
	}
}

// checkLinkOpensApart clicks the link: it opens in a new tab, which has no
// handle on this page (noopener), and this page stays where it is.
func (b *browser) checkLinkOpensApart(t *testing.T, link string) {
	t.Helper()
	opened := chromedp.WaitNewTarget(b.ctx, func(info *target.Info) bool { return info.URL == link })
	b.run(t, "click the link", chromedp.Click(`#messages .body a`, chromedp.ByQuery))
	var id target.ID
	select {
	case id = <-opened:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: clicking the link opened no tab at %s; page: %s", b.name, link, b.describe())
	}
	tab, closeTab := chromedp.NewContext(b.ctx, chromedp.WithTargetID(id))
	defer closeTab()
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	var opener bool
	if err := chromedp.Run(ctx, chromedp.Evaluate(`window.opener !== null`, &opener)); err != nil {
		t.Fatalf("%s: read the new tab: %v", b.name, err)
	}
	if opener {
		t.Errorf("%s: the tab the link opened has window.opener: want noopener", b.name)
	}
	b.waitFor(t, "this page to stay at /rooms/1", `location.pathname + location.search === "/rooms/1"`, time.Second)
}

// checkAvatarContrast measures the initials on every colour of the palette
// (and on each avatar shown) in the theme emulated: WCAG AA, 4.5:1.
func (b *browser) checkAvatarContrast(t *testing.T, theme string) {
	t.Helper()
	var pairs []struct {
		What  string  `json:"what"`
		Ratio float64 `json:"ratio"`
	}
	b.evalJSON(t, "measure the avatars' contrast", `JSON.stringify((() => {
		const box = document.createElement("div");
		for (let i = 0; i < `+fmt.Sprint(avatarColours)+`; i++) {
			const s = document.createElement("span");
			s.className = "avatar";
			s.dataset.colour = i;
			s.textContent = "AB";
			box.append(s);
		}
		document.body.append(box);
		const out = [...box.children, ...document.querySelectorAll("#messages .avatar")].map((e) => {
			const fg = rgbOf(getComputedStyle(e).color), bg = rgbOf(getComputedStyle(e).backgroundColor);
			return {what: "colour " + e.dataset.colour + " " + (bg ?? "transparent"), ratio: bg ? contrast(fg, bg) : 0};
		});
		box.remove();
		return out;
	})())`, &pairs)
	if len(pairs) < avatarColours {
		t.Fatalf("%s theme: measured %d avatars", theme, len(pairs))
	}
	worst := pairs[0]
	for _, p := range pairs {
		if p.Ratio < minContrast {
			t.Errorf("%s theme: initials on %s: contrast %.2f:1, want at least %v:1", theme, p.What, p.Ratio, minContrast)
		}
		if p.Ratio < worst.Ratio {
			worst = p
		}
	}
	t.Logf("%s theme: the lowest contrast of initials is %.2f:1 (%s)", theme, worst.Ratio, worst.What)
}
