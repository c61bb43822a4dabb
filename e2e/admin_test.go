package e2e

// Admin (issue 9, item 11): an invite link is shown once with a Copy
// button, a reload makes no other; deactivating someone sends their open
// page to the sign-in form.

import (
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

func TestBrowserAdminInvitesAndDeactivate(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "boss")
	a.signUp(t, home, a.username, a.username+"-password-123")
	b := newBrowser(t, chromium, "B", "bobo")
	b.signUp(t, home, b.username, b.username+"-password-123")
	b.waitConnected(t)

	a.clickThrough(t, "open the admin link in the header", `.top a[href="/admin/invites"]`,
		`location.pathname === "/admin/invites"`, 5*time.Second)
	a.clickThrough(t, "make an invite link", `form[action="/admin/invites"] button[type="submit"]`,
		`location.pathname === "/admin/invites" && document.querySelector("#invite-link")?.value.includes("/signup?invite=")`, 5*time.Second)
	var link string
	a.run(t, "read the link", chromedp.Evaluate(`document.querySelector("#invite-link").value`, &link))
	a.run(t, "let the page use the clipboard",
		cdpbrowser.GrantPermissions([]cdpbrowser.PermissionType{cdpbrowser.PermissionTypeClipboardReadWrite, cdpbrowser.PermissionTypeClipboardSanitizedWrite}).WithOrigin(home[:len(home)-1]))
	a.waitFor(t, "the Copy button, which script shows", `!document.querySelector("button.copy").hidden`, 5*time.Second)
	a.run(t, "click Copy", chromedp.Click(`button.copy`, chromedp.ByQuery))
	a.waitFor(t, "the button to say Copied", `document.querySelector("button.copy").textContent === "Copied"`, 5*time.Second)
	var copied string
	a.run(t, "read the clipboard", chromedp.Evaluate(`navigator.clipboard.readText()`, &copied,
		func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if copied != link {
		t.Fatalf("the clipboard holds %q, want the link %q", copied, link)
	}

	a.run(t, "reload", chromedp.Evaluate(`window.__charlaOldPage = 1`, nil), chromedp.Reload())
	a.waitFor(t, "the reloaded page, without the link and with one open invite",
		`window.__charlaOldPage === undefined && document.readyState === "complete" && !document.querySelector("#invite-link") && document.querySelectorAll(".admin-list tbody tr").length === 1`, 5*time.Second)

	a.clickThrough(t, "open People", `.admin-nav a[href="/admin/people"]`, `location.pathname === "/admin/people"`, 5*time.Second)
	a.clickThrough(t, "deactivate bobo", `button[aria-label="Deactivate bobo"]`,
		`location.pathname === "/admin/people" && !!document.querySelector('button[aria-label="Reactivate bobo"]')`, 5*time.Second)
	b.waitFor(t, "the deactivated person's page to go to the sign-in form",
		`location.pathname === "/signin"`, 15*time.Second)
	a.checkConsole(t)
	b.checkConsole(t)
}
