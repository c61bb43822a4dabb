package e2e

// The harness, in short:
//
//	chromium := chromiumPath(t)            // or skip (fail with CHARLA_E2E=1)
//	app := startApp(t)                     // charla on 127.0.0.1, stopped at the test's end
//	home := "http://" + app.cfg.Addr + "/"
//	a := newBrowser(t, chromium, "A", "ana") // one person's Chromium, closed at the end
//	a.signUp(t, home, a.username, a.username+"-password-123")
//	a.typeAndEnter(t, "hello")
//	a.waitTexts(t, "the message", []string{"hello"}, 5*time.Second)
//	a.checkConsole(t)                      // no exception, CSP violation or dialog
//
// app.stop and app.start restart the server on the same address and
// database; app.cfg (a server.Config) may be changed between them.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/charla/charla/server"
	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// e2eCookieSecret is fixed so that cookies stay valid across the restart.
const e2eCookieSecret = "charla-e2e-cookie-secret-0123456789abcdef"

// chromiumPath finds Chromium, or skips (fails with CHARLA_E2E=1).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CHARLA_E2E") == "1" {
		t.Fatal("CHARLA_E2E=1 but Chromium is not installed (/usr/bin/chromium, or chromium on PATH)")
	}
	t.Skip("Chromium not installed (/usr/bin/chromium, or chromium on PATH); set CHARLA_E2E=1 to make this a failure")
	return ""
}

// testApp is charla served in-process by server.Run, stoppable and restartable
// on the same address and database.
type testApp struct {
	cfg    server.Config
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan error
}

func startApp(t *testing.T) *testApp {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	level := slog.LevelWarn
	if os.Getenv("CHARLA_E2E_LOG") == "1" {
		level = slog.LevelInfo
	}
	w := &testLogWriter{t: t}
	t.Cleanup(w.close) // registered first, so it runs last: after server.Run returned
	app := &testApp{
		cfg: server.Config{
			Addr:         net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			DatabaseURL:  "file:" + filepath.Join(t.TempDir(), "e2e.db"),
			CookieSecret: e2eCookieSecret,
		},
		log: slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})),
	}
	app.start(t)
	t.Cleanup(func() {
		if app.cancel != nil {
			app.stop(t)
		}
	})
	return app
}

// start runs server.Run and waits until it listens. The port may still be busy
// for a moment after a stop, so a listen that fails with EADDRINUSE is retried.
func (app *testApp) start(t *testing.T) {
	t.Helper()
	retryUntil := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan string, 1)
		done := make(chan error, 1)
		go func() { done <- server.Run(ctx, app.cfg, app.log, func(addr string) { ready <- addr }) }()
		select {
		case <-ready:
			app.cancel, app.done = cancel, done
			return
		case err := <-done:
			cancel()
			if errors.Is(err, syscall.EADDRINUSE) && time.Now().Before(retryUntil) {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			t.Fatalf("server.Run on %s returned before listening: %v", app.cfg.Addr, err)
		case <-time.After(10 * time.Second):
			cancel()
			t.Fatalf("server.Run did not listen on %s within 10s", app.cfg.Addr)
		}
	}
}

// stop ends server.Run's context and waits for its graceful shutdown.
func (app *testApp) stop(t *testing.T) {
	t.Helper()
	app.cancel()
	app.cancel = nil
	select {
	case err := <-app.done:
		if err != nil {
			t.Errorf("server.Run returned %v on shutdown, want nil", err)
		}
	case <-time.After(3 * server.ShutdownGrace):
		t.Fatalf("server.Run did not return within %v of its context ending", 3*server.ShutdownGrace)
	}
}

// testLogWriter sends the server's log to t.Log until the test ends.
type testLogWriter struct {
	mu     sync.Mutex
	t      *testing.T
	closed bool
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.t.Log("server: " + strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testLogWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}

// browser is one person's own Chromium process with one tab.
type browser struct {
	name     string // A, B, C
	username string // the account the person signs up as
	ctx      context.Context

	mu      sync.Mutex
	console []string // console and log lines not yet passed to t.Log
	bad     []string // uncaught exceptions, CSP violations, dialogs: not yet reported
	wsFails int      // failed WebSocket (re)connections the page logged
}

func newBrowser(t *testing.T, execPath, name, username string) *browser {
	t.Helper()
	profile, err := os.MkdirTemp("", "charla-e2e-chromium-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1024, 768),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// Closed as a person would, Chromium stops its helper processes
		// (which write its cache) before it exits; then it is killed and
		// waited for, closed or not, before its profile goes.
		closeCtx, cancelClose := context.WithTimeout(ctx, 5*time.Second)
		if err := chromedp.Cancel(closeCtx); err != nil {
			t.Logf("%s: close Chromium: %v", name, err)
		}
		cancelClose()
		cancel()
		cancelAlloc()
		// A helper process may still write to the profile for a moment
		// (chromedp works around the same), so removing it is retried.
		var err error
		for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if err = os.RemoveAll(profile); err == nil || time.Now().After(deadline) {
				break
			}
		}
		if err != nil {
			t.Errorf("%s: remove Chromium's profile: %v", name, err)
		}
	})
	b := &browser{name: name, username: username, ctx: ctx}

	chromedp.ListenTarget(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				text += " " + d.Exception.Description
			}
			b.note(true, fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, text))
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.APITypeError {
				return
			}
			text := consoleText(ev.Args)
			b.note(isCSP(text), "console.error: "+text)
		case *cdplog.EventEntryAdded:
			e := ev.Entry
			if e.Level != cdplog.LevelError && !isCSP(e.Text) {
				return
			}
			// A rendering error is markup the browser refused (such as
			// an input's pattern that is not a valid regular expression).
			bad := isCSP(e.Text) || e.Source == cdplog.SourceRendering
			b.note(bad, fmt.Sprintf("log %s/%s: %s %s", e.Source, e.Level, e.Text, e.URL))
		case *page.EventJavascriptDialogOpening:
			b.note(true, fmt.Sprintf("a %s dialog opened: %q", ev.Type, ev.Message))
			go func() { _ = chromedp.Run(ctx, page.HandleJavaScriptDialog(false)) }()
		}
	})

	// Starting the browser; the page reports CSP violations it sees even
	// where Chromium's own log would not (injected scripts are exempt from CSP).
	// The first Run starts Chromium, and the context it gets is the
	// browser's lifetime: so ctx itself, bounded by a timer instead.
	started := make(chan error, 1)
	go func() {
		started <- chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(`document.addEventListener("securitypolicyviolation", (e) =>
				console.error("Content Security Policy violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber));`).Do(ctx)
			return err
		}))
	}()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("%s: start Chromium (%s): %v", name, execPath, err)
		}
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("%s: Chromium (%s) did not start within 30s", name, execPath)
	}
	return b
}

func isCSP(text string) bool { return strings.Contains(text, "Content Security Policy") }

func consoleText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		switch {
		case len(a.Value) > 0 && json.Unmarshal(a.Value, &s) == nil:
		case len(a.Value) > 0:
			s = string(a.Value)
		default:
			s = a.Description
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func (b *browser) note(bad bool, line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.console = append(b.console, line)
	if strings.Contains(line, "htmx:ws:error") || strings.Contains(line, "WebSocket connection to") {
		b.wsFails++
	}
	if bad {
		b.bad = append(b.bad, line)
	}
}

// checkConsole logs what the page said since the last call, and fails on
// uncaught exceptions, CSP violations, rendering errors (markup the browser
// refused) and dialogs. Console errors otherwise
// (hx-ws's "htmx:ws:error" and Chromium's failed WebSocket lines while the
// server restarts) are expected and only logged.
func (b *browser) checkConsole(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	console, bad := b.console, b.bad
	b.console, b.bad = nil, nil
	b.mu.Unlock()
	for _, line := range console {
		t.Logf("%s console: %s", b.name, line)
	}
	for _, line := range bad {
		t.Errorf("%s: the page reported a problem: %s", b.name, line)
	}
}

// run runs actions in the tab, bounded.
// steps returns how a story runs its steps: each as a subtest, after which
// every browser in *people has its console checked, the first failure
// ending the story (later steps build on it). *people is read at each
// step, so a story may add or drop browsers as it goes.
func steps(t *testing.T, people *[]*browser) func(name string, f func(t *testing.T)) {
	return func(name string, f func(t *testing.T)) {
		t.Helper()
		ok := t.Run(name, func(t *testing.T) {
			start := time.Now()
			f(t)
			for _, p := range *people {
				p.checkConsole(t)
			}
			t.Logf("step took %v", time.Since(start).Round(time.Millisecond))
		})
		if !ok {
			t.FailNow()
		}
	}
}

// msgJS is the JS for the message of #messages whose body reads text.
func msgJS(text string) string {
	return `[...document.querySelectorAll("#messages > .msg")].find((m) => m.querySelector(".body")?.textContent === ` + jsString(text) + `)`
}

// openMenu opens the menu ("⋯") of the message whose body reads text.
func (b *browser) openMenu(t *testing.T, text string) {
	t.Helper()
	b.run(t, "open the menu of "+text, chromedp.Evaluate(msgJS(text)+`.querySelector(".more").click()`, nil))
	b.waitFor(t, "the menu", msgJS(text)+`?.querySelector(".msg-menu .actions")`, 5*time.Second)
}

func (b *browser) run(t *testing.T, what string, actions ...chromedp.Action) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("%s: %s: %v; page: %s", b.name, what, err, b.describe())
	}
}

// eval evaluates a JS expression into res, bounded; errors (such as a
// page in the middle of navigating) are returned, not fatal.
func (b *browser) eval(js string, res any) error {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate(js, res))
}

// waitConnected waits until the page says its socket is connected.
func (b *browser) waitConnected(t *testing.T) {
	t.Helper()
	b.waitFor(t, "the socket to connect", `document.body.dataset.ws === "connected"`, 10*time.Second)
}

// waitFor polls a JS boolean expression every 50 ms until it is true.
func (b *browser) waitFor(t *testing.T, what, js string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		err := b.eval("!!("+js+")", &ok)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: waited %v for %s (%s), in vain (last error: %v); page: %s", b.name, timeout, what, js, err, b.describe())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

const textsJS = `Array.from(document.querySelectorAll("#messages article.msg"), (m) => m.querySelector(".body")?.textContent ?? "<no .body>")`

func (b *browser) texts() ([]string, error) {
	var got []string
	err := b.eval(textsJS, &got)
	return got, err
}

// waitTexts waits until the message list reads exactly want, in order.
// More messages than wanted can never get right, so that fails at once.
func (b *browser) waitTexts(t *testing.T, what string, want []string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got, err := b.texts()
		if err == nil && slices.Equal(got, want) {
			return
		}
		if err == nil && len(got) > len(want) || time.Now().After(deadline) {
			t.Fatalf("%s: waiting %v for %s: #messages reads\n%s\nwant (%d, once each, in order)\n%s\n(last error: %v); page: %s",
				b.name, timeout, what, listing(got), len(want), listing(want), err, b.describe())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func listing(texts []string) string {
	var s strings.Builder
	fmt.Fprintf(&s, "  (%d messages)", len(texts))
	for i, text := range texts {
		fmt.Fprintf(&s, "\n  %2d. %q", i+1, text)
	}
	return s.String()
}

// waitWSFailure waits until the page logs a failed WebSocket connection.
func (b *browser) waitWSFailure(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b.mu.Lock()
		n := b.wsFails
		b.wsFails = 0
		b.mu.Unlock()
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the page logged no failed reconnection within %v of the server stopping; page: %s", b.name, timeout, b.describe())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *browser) waitPendingEmpty(t *testing.T, timeout time.Duration) {
	t.Helper()
	b.waitFor(t, "#pending to be empty", `document.getElementById("pending").children.length === 0`, timeout)
}

// typeAndEnter types text into the composer and presses Enter, as a person would.
func (b *browser) typeAndEnter(t *testing.T, text string) {
	t.Helper()
	b.run(t, "type "+strconv.Quote(text)+" and Enter", chromedp.SendKeys(`#composer textarea`, text, chromedp.ByQuery), pressEnter)
}

// signUp goes where a new visitor goes: the home page sends them to the
// sign-in form, whose link leads to the sign-up form; they fill it in and
// land in #general, signed in.
func (b *browser) signUp(t *testing.T, home, username, password string) {
	t.Helper()
	b.run(t, "open "+home, chromedp.Navigate(home))
	b.waitFor(t, "the home page to send a visitor to the sign-in form",
		`location.pathname === "/signin" && !!document.querySelector('form[action="/signin"] input[name="username"]')`, 5*time.Second)
	b.clickThrough(t, "click \"Create an account\"", `a[href="/signup"]`,
		`location.pathname === "/signup" && !!document.querySelector('form[action="/signup"] input[name="password"]')`, 5*time.Second)
	form := `form[action="/signup"]`
	b.run(t, "fill in the sign-up form",
		chromedp.SendKeys(form+` input[name="username"]`, username, chromedp.ByQuery),
		chromedp.SendKeys(form+` input[name="password"]`, password, chromedp.ByQuery))
	b.clickThrough(t, "click Sign up", form+` button[type="submit"]`,
		`location.pathname === "/rooms/1"`, 10*time.Second)
	b.waitFor(t, "the page to be #general, signed in as "+username,
		`document.querySelector(".top .room")?.textContent.trim() === "#general" && document.querySelector(".top .me")?.textContent.trim() === `+jsString(username)+
			` && document.querySelector('nav#rooms li.current a[href="/rooms/1"]')?.textContent.trim() === "#general"`, time.Second)
}

// clickThrough clicks what leaves the page (a link, a form's button) and
// waits until the next page has loaded and cond holds on it. The old page
// is marked first, so that cond cannot pass on it.
func (b *browser) clickThrough(t *testing.T, what, sel, cond string, timeout time.Duration) {
	t.Helper()
	b.run(t, what+": mark the page", chromedp.Evaluate(`window.__charlaOldPage = 1`, nil))
	b.run(t, what, chromedp.Click(sel, chromedp.ByQuery))
	b.waitFor(t, what+": the next page",
		`window.__charlaOldPage === undefined && document.readyState === "complete" && (`+cond+`)`, timeout)
}

// createRoom creates a room of kind from the sidebar's form and waits until
// its page is connected; it returns the room's id.
func (b *browser) createRoom(t *testing.T, name, kind string) string {
	t.Helper()
	form := `form.new-room`
	b.run(t, "type the room's name and pick "+kind,
		chromedp.SendKeys(form+` input[name="name"]`, name, chromedp.ByQuery),
		chromedp.SetValue(form+` select[name="kind"]`, kind, chromedp.ByQuery))
	b.clickThrough(t, "click Create", form+` button[type="submit"]`,
		`/^\/rooms\/\d+$/.test(location.pathname) && document.querySelector(".top .room")?.textContent.trim() === `+jsString("#"+name), 10*time.Second)
	b.waitFor(t, "the room's socket to connect", `document.body.dataset.ws === "connected"`, 10*time.Second)
	var id string
	b.run(t, "read the room's id", chromedp.Evaluate(`location.pathname.slice("/rooms/".length)`, &id))
	return id
}

// sendAndSee types text into the composer, presses Enter, and waits until
// the server's copy has replaced the pending one. It types through the
// keyboard alone: chromedp's element queries hang on a page restored from
// the back/forward cache.
func (b *browser) sendAndSee(t *testing.T, what, text string, want []string) {
	t.Helper()
	b.run(t, "type "+strconv.Quote(text)+" and Enter",
		chromedp.Evaluate(`document.querySelector("#composer textarea").focus()`, nil),
		input.InsertText(text), pressEnter)
	b.waitTexts(t, what, want, 10*time.Second)
	b.waitPendingEmpty(t, 5*time.Second)
}

// checkAuthors checks who each message in #messages is by.
func (b *browser) checkAuthors(t *testing.T, want []string) {
	t.Helper()
	var got []string
	if err := b.eval(`Array.from(document.querySelectorAll("#messages article.msg"), (m) => m.querySelector(".author")?.textContent ?? "<no .author>")`, &got); err != nil {
		t.Fatalf("%s: read the authors: %v", b.name, err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: #messages' authors are %q, want %q", b.name, got, want)
	}
}

// checkNoMarkupInMessages fails if a message body made an element: text
// that looks like markup must show as text.
func (b *browser) checkNoMarkupInMessages(t *testing.T) {
	t.Helper()
	var n int
	b.run(t, "count elements inside the message bodies",
		chromedp.Evaluate(`document.querySelectorAll("#messages img, #messages script, #messages .body *").length`, &n))
	if n != 0 {
		t.Errorf("%s: %d img/script/child elements inside #messages, want 0; page: %s", b.name, n, b.describe())
	}
}

// checkAbsent fails if what the JS expression js reads (a string, or a list
// of strings) contains any of secrets.
func (b *browser) checkAbsent(t *testing.T, where string, secrets []string, js string) {
	t.Helper()
	var got any
	if err := b.eval(js, &got); err != nil {
		t.Fatalf("%s: read %s: %v", b.name, where, err)
	}
	text := fmt.Sprint(got)
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s: %s shows %q, which only the private room's members may see", b.name, where, s)
		}
		// The page's HTML escapes what it shows: look for that too.
		if esc := htmlEscaper.Replace(s); esc != s && strings.Contains(text, esc) {
			t.Errorf("%s: %s shows %q (escaped), which only the private room's members may see", b.name, where, s)
		}
	}
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// pressEnter presses Enter in the focused element the way a keyboard does
// in Chromium: a raw key down, the "\r" character, a key up; Chromium drops
// the character when the page prevented the keydown. (SendKeys with
// kb.Enter sends keyDown+char instead, whose char Chromium never drops, so
// every Enter-to-send would leave a "\n" in the composer that no person's
// keyboard leaves.)
var pressEnter = chromedp.ActionFunc(func(ctx context.Context) error {
	for _, typ := range []input.KeyType{input.KeyRawDown, input.KeyChar, input.KeyUp} {
		ev := input.DispatchKeyEvent(typ).WithKey("Enter").WithCode("Enter").
			WithWindowsVirtualKeyCode(13).WithNativeVirtualKeyCode(13)
		if typ == input.KeyChar {
			ev = ev.WithText("\r").WithUnmodifiedText("\r")
		}
		if err := ev.Do(ctx); err != nil {
			return err
		}
	}
	return nil
})

// checkNotReloaded fails if the page navigated since the marker was set,
// for instance by a native form submission.
func (b *browser) checkNotReloaded(t *testing.T) {
	t.Helper()
	var state struct {
		Marker any    `json:"marker"`
		Href   string `json:"href"`
	}
	var raw string
	if err := b.eval(`JSON.stringify({marker: window.__charlaMarker ?? null, href: location.href})`, &raw); err != nil {
		t.Fatalf("%s: read the no-reload marker: %v", b.name, err)
	}
	if err := json.Unmarshal([]byte(raw), &state); err != nil {
		t.Fatalf("%s: %v in %s", b.name, err, raw)
	}
	if state.Marker != float64(1) {
		t.Errorf("%s: window.__charlaMarker is %v, want 1: the page reloaded by itself (now at %s)", b.name, state.Marker, state.Href)
	}
	if strings.Contains(state.Href, "?") {
		t.Errorf("%s: location is %s, want no query string (a native form submission?)", b.name, state.Href)
	}
}

// checkMessageMarkup checks each message's element: id msg-N, data-id N,
// a data-key, ids ascending.
func (b *browser) checkMessageMarkup(t *testing.T) {
	t.Helper()
	var problems []string
	err := b.eval(`(() => {
		const out = [];
		let last = 0;
		for (const m of document.querySelectorAll("#messages > *")) {
			const id = Number(m.dataset.id);
			if (m.tagName !== "ARTICLE" || !m.classList.contains("msg")) out.push("not an article.msg: " + m.outerHTML.slice(0, 120));
			if (m.id !== "msg-" + m.dataset.id) out.push("id " + m.id + " with data-id " + m.dataset.id);
			if (!m.dataset.key) out.push(m.id + " has no data-key");
			if (!(id > last)) out.push(m.id + " after msg-" + last + ": not in ascending order");
			last = id;
		}
		return out;
	})()`, &problems)
	if err != nil {
		t.Fatalf("%s: check message markup: %v", b.name, err)
	}
	for _, p := range problems {
		t.Errorf("%s: #messages: %s", b.name, p)
	}
}

// describe is the page's state for failure messages.
func (b *browser) describe() string {
	var s string
	err := b.eval(`JSON.stringify({
		href: location.href,
		title: document.title,
		room: document.querySelector(".top .room")?.textContent ?? null,
		rooms: Array.from(document.querySelectorAll("nav#rooms li"), (li) => li.textContent.trim().replace(/\s+/g, " ")),
		problem: document.querySelector(".problem")?.textContent ?? null,
		ws: document.body?.dataset.ws ?? null,
		status: document.getElementById("status")?.textContent ?? null,
		marker: window.__charlaMarker ?? null,
		messages: Array.from(document.querySelectorAll("#messages > *"), (m) => m.id + " " + JSON.stringify(m.querySelector(".body")?.textContent)),
		pending: Array.from(document.querySelectorAll("#pending > *"), (p) => p.id + " " + p.className + " " + JSON.stringify(p.textContent)),
		composer: document.querySelector("#composer textarea")?.value ?? null,
		text: document.querySelector("#chat") ? null : (document.body?.innerText ?? "").slice(0, 300),
	}, null, 1)`, &s)
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	return s
}

// screenshot saves the viewport as a PNG under os.TempDir().
func (b *browser) screenshot(t *testing.T) {
	t.Helper()
	var png []byte
	b.run(t, "take a screenshot", chromedp.CaptureScreenshot(&png))
	path := filepath.Join(os.TempDir(), fmt.Sprintf("charla-e2e-%s-%s.png", b.name, time.Now().Format("20060102-150405")))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("save screenshot: %v", err)
		return
	}
	t.Logf("screenshot of %s's page: %s", b.name, path)
}

func mustJSON(v any) string {
	j, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(j)
}

// jsString quotes s as a JS string literal (JSON strings are JS strings).
func jsString(s string) string { return mustJSON(s) }

// seedDated stores a message by author for each body in #general, straight
// into the app's database, then dates it at[i]: history older than the
// test, which no browser could send.
func seedDated(t *testing.T, app *testApp, author string, bodies []string, at []time.Time) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	store, err := db.Open(ctx, app.cfg.DatabaseURL, "")
	if err != nil {
		t.Fatalf("open the database to seed it: %v", err)
	}
	defer func() {
		if err := store.Close(); err != nil {
			t.Errorf("close the seeding connection: %v", err)
		}
	}()
	msgs := make([]db.NewMessage, len(bodies))
	for i, b := range bodies {
		msgs[i] = db.NewMessage{RoomID: db.GeneralRoom, Key: fmt.Sprintf("seed-%s-%04d", author, i), Author: author, Body: b}
	}
	stored, err := store.CreateMessages(ctx, msgs)
	if err != nil {
		t.Fatalf("seed %d messages: %v", len(msgs), err)
	}
	for i, s := range stored {
		if _, err := store.DB().ExecContext(ctx, `UPDATE messages SET created_at = ? WHERE id = ?`, at[i].UnixMilli(), s.Message.ID); err != nil {
			t.Fatalf("date message %d: %v", i, err)
		}
	}
}
