package e2e

// Two people on two charla instances (one NATS server, one database file)
// see each other online, talk, edit, react and see each other typing as on
// one instance.

import (
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/charla/charla/broker/natstest"
	"github.com/charla/charla/server"
	"github.com/chromedp/chromedp"
)

// startInstances runs n instances of charla on one database file, sharing
// their rooms through one embedded NATS server; each stops at the test's
// end.
func startInstances(t *testing.T, n int) []*testApp {
	t.Helper()
	nats := natstest.Start(t)
	dbURL := "file:" + filepath.Join(t.TempDir(), "e2e.db")
	level := slog.LevelWarn
	if os.Getenv("CHARLA_E2E_LOG") == "1" {
		level = slog.LevelInfo
	}
	w := &testLogWriter{t: t}
	t.Cleanup(w.close) // registered first, so it runs last
	apps := make([]*testApp, n)
	for i := range apps {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		app := &testApp{
			cfg: server.Config{
				Addr:         net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
				DatabaseURL:  dbURL,
				CookieSecret: e2eCookieSecret,
				NATSURL:      nats.URL(),
			},
			log: slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})).With("instance", i),
		}
		app.start(t)
		t.Cleanup(func() {
			if app.cancel != nil {
				app.stop(t)
			}
		})
		apps[i] = app
	}
	return apps
}

func TestBrowserTwoInstances(t *testing.T) {
	chromium := chromiumPath(t)
	apps := startInstances(t, 2)
	a := newBrowser(t, chromium, "A", "ana")
	b := newBrowser(t, chromium, "B", "bruno")
	people := []*browser{a, b}
	step := steps(t, &people)

	step("1_each_on_an_instance", func(t *testing.T) {
		for i, p := range people {
			p.signUp(t, "http://"+apps[i].cfg.Addr+"/", p.username, p.username+"-password-123")
			p.waitConnected(t)
		}
		for _, p := range people {
			p.waitFor(t, "both in the online list, whichever instance", `["ana","bruno"].every((n) => document.querySelector("#online [data-name='" + n + "']"))`, 10*time.Second)
		}
		a.typeAndEnter(t, "hello from A")
		b.typeAndEnter(t, "hello from B")
		a.typeAndEnter(t, "and again from A")
		for _, p := range people {
			p.waitTexts(t, "every message, in order", []string{"hello from A", "hello from B", "and again from A"}, 10*time.Second)
		}
	})

	step("2_A_edits_B_sees_it", func(t *testing.T) {
		a.openMenu(t, "hello from A")
		a.run(t, "edit and save",
			chromedp.Evaluate(msgJS("hello from A")+`.querySelector(".edit textarea").value = "hello from A, edited"`, nil),
			chromedp.Evaluate(msgJS("hello from A")+`.querySelector(".edit button").click()`, nil))
		for _, p := range people {
			p.waitTexts(t, "the edited text", []string{"hello from A, edited", "hello from B", "and again from A"}, 10*time.Second)
		}
	})

	step("3_B_reacts_A_sees_it", func(t *testing.T) {
		b.openMenu(t, "and again from A")
		b.run(t, "react 🎉", chromedp.Evaluate(`[...document.querySelectorAll(".react-picker button")].find((x) => x.textContent === "🎉").click()`, nil))
		for _, p := range people {
			p.waitFor(t, "the reaction with its count", msgJS("and again from A")+`?.querySelector(".reactions button")?.textContent.replace(/\s+/g, " ").trim() === "🎉 1"`, 10*time.Second)
		}
	})

	step("4_typing_crosses_instances", func(t *testing.T) {
		// The page says "typing" at most every 2 s, and bruno typed his
		// message in step 1 only a moment ago.
		time.Sleep(2500 * time.Millisecond)
		b.run(t, "type without sending", chromedp.SendKeys(`#composer textarea`, "hmm", chromedp.ByQuery))
		a.waitFor(t, "bruno is typing", `document.getElementById("typing").textContent === "bruno"`, 10*time.Second)
		b.run(t, "empty the composer", chromedp.Evaluate(`document.querySelector("#composer textarea").value = ""`, nil))
	})
}
