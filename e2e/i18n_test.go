package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/i18n"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// spanishBrowser is what a browser set to Spanish sends.
const spanishBrowser = "es-ES,es"

// TestBrowserSpanishUI: a person whose browser asks for Spanish reads
// charla in Spanish from the first page (the sign-in form, the rules of a
// username before they break them), and in the room: the words, the
// connection's status that the script writes, the day labels and times
// (Intl in the page's lang), the length counter. Their settings choose
// English over the browser, and "automatic" goes back to it.
func TestBrowserSpanishUI(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "lucía")
	var ua string
	a.run(t, "read the user agent", chromedp.Evaluate(`navigator.userAgent`, &ua))
	a.run(t, "ask for Spanish, as a browser set to Spanish does",
		emulation.SetUserAgentOverride(ua).WithAcceptLanguage(spanishBrowser))

	// Before signing up: the form in Spanish says the rules, and the
	// browser applies them.
	a.run(t, "open the sign-up form", chromedp.Navigate(home+"signup"))
	a.waitFor(t, "the Spanish sign-up form", `document.documentElement.lang === "es" && document.querySelector("form h2")?.textContent === "Crear una cuenta"`, 5*time.Second)
	a.waitFor(t, "the username's rules under the field",
		`document.getElementById("username-rules")?.checkVisibility() && document.getElementById("username-rules").textContent.startsWith("De 3 a 32 letras (de cualquier idioma)")`, time.Second)
	var validity map[string]bool
	a.run(t, "try names against the field's pattern", chromedp.Evaluate(`(() => {
		const f = document.querySelector('input[name="username"]'), out = {};
		for (const name of ["lucía", "José_Ñandú", "東京の人", "ana lópez", "ana!", "ab"]) { f.value = name; out[name] = f.checkValidity(); }
		f.value = "";
		return out;
	})()`, &validity))
	for name, want := range map[string]bool{"lucía": true, "José_Ñandú": true, "東京の人": true, "ana lópez": false, "ana!": false, "ab": false} {
		if validity[name] != want {
			t.Errorf("the username field finds %q valid: %v, want %v", name, validity[name], want)
		}
	}
	a.saveScreenshot(t, "signup-es")

	a.signUp(t, home, a.username, "contraseña-de-lucía")
	now := time.Now()
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	if next := midnight.AddDate(0, 0, 1); next.Sub(now) < time.Minute {
		time.Sleep(next.Sub(now) + time.Second) // not across midnight
		now, midnight = time.Now(), next
	}
	at := []time.Time{midnight.AddDate(0, 0, -3).Add(10 * time.Hour), midnight.AddDate(0, 0, -1).Add(18*time.Hour + 5*time.Minute)}
	seedDated(t, app, "bruno", []string{"hace tres días", "ayer por la tarde"}, at)
	a.run(t, "reload to show the seeded messages", chromedp.Reload())
	a.waitConnected(t)
	a.sendAndSee(t, "her message", "¡hola a todos!", []string{"hace tres días", "ayer por la tarde", "¡hola a todos!"})

	es := i18n.WithLang(context.Background(), i18n.Spanish)
	a.checkSpanishRoom(t, []string{i18n.Day(es, at[0], at[0].Year() != now.Year()), "Ayer", "Hoy"},
		[]string{spanishMonths[at[0].Month()-1], spanishMonths[at[1].Month()-1]})
	a.saveScreenshot(t, "room-es")

	// The person's choice over the browser's.
	a.clickThrough(t, "open the settings", ".settings-link a", `location.pathname === "/settings"`, 5*time.Second)
	a.waitFor(t, "the settings in Spanish, following the browser",
		`document.querySelector("h2")?.textContent === "Ajustes" && document.querySelector('select[name="lang"]').selectedOptions[0].textContent === "La del navegador (Español)"`, time.Second)
	a.saveScreenshot(t, "settings-es")
	a.run(t, "choose English", chromedp.SetValue(`select[name="lang"]`, "en", chromedp.ByQuery))
	a.clickThrough(t, "save", `form[action="/settings"] button[type="submit"]`,
		`location.search === "?saved=1" && document.documentElement.lang === "en" && document.querySelector(".saved")?.textContent === "Saved."`, 5*time.Second)
	a.run(t, "open #general", chromedp.Navigate(home+"rooms/1"))
	a.waitConnected(t)
	a.waitFor(t, "the room in English", `document.documentElement.lang === "en" && document.querySelector("#composer button").textContent === "Send" && document.getElementById("status").textContent === "connected"`, 5*time.Second)
	a.waitFor(t, "yesterday in English", `Array.from(document.querySelectorAll("#messages > [data-day-label]"), (m) => m.dataset.dayLabel).includes("Yesterday")`, 5*time.Second)

	a.run(t, "open the settings again", chromedp.Navigate(home+"settings"))
	a.run(t, "choose the browser's language", chromedp.SetValue(`select[name="lang"]`, "", chromedp.ByQuery))
	a.clickThrough(t, "save", `form[action="/settings"] button[type="submit"]`,
		`location.search === "?saved=1" && document.documentElement.lang === "es" && document.querySelector(".saved")?.textContent === "Guardado."`, 5*time.Second)

	// Spanish words are longer: on a phone's screen the header still fits.
	a.run(t, "open #general", chromedp.Navigate(home+"rooms/1"))
	a.waitConnected(t)
	a.emulatePhone(t)
	a.checkFitsPhone(t, "#general in Spanish")
	a.saveScreenshot(t, "room-phone-es")
	a.checkConsole(t)
}

// spanishMonths are what Intl calls the months in Spanish.
var spanishMonths = []string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}

// checkSpanishRoom checks that the room speaks Spanish: its words, the
// status the script wrote, the day labels drawn above the messages
// (labels, in order), each seeded time's full date (months, in order), and
// the length counter's words and numbers.
func (b *browser) checkSpanishRoom(t *testing.T, labels, months []string) {
	t.Helper()
	b.waitFor(t, "the room in Spanish", `document.documentElement.lang === "es" && document.getElementById("status").textContent === "conectado"`, 5*time.Second)
	var got struct {
		Send        string   `json:"send"`
		Placeholder string   `json:"placeholder"`
		Menu        string   `json:"menu"`
		Labels      []string `json:"labels"`
		Drawn       []string `json:"drawn"`
		Titles      []string `json:"titles"`
	}
	var raw string
	b.run(t, "read the room", chromedp.Evaluate(`JSON.stringify({
		send: document.querySelector("#composer button").textContent,
		placeholder: document.querySelector("#composer textarea").placeholder,
		menu: document.querySelector(".menu").textContent,
		labels: Array.from(document.querySelectorAll("#messages > [data-day-label]"), (m) => m.dataset.dayLabel),
		drawn: Array.from(document.querySelectorAll("#messages > [data-day-label]"), (m) => getComputedStyle(m, "::before").content),
		titles: Array.from(document.querySelectorAll("#messages time"), (t) => t.title),
	})`, &raw))
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("%s: %v in %s", b.name, err, raw)
	}
	if got.Send != "Enviar" || got.Menu != "Salas" || got.Placeholder != "Escribe en #general (Intro envía, Mayús+Intro para una línea nueva)" {
		t.Errorf("%s: the room's words are %q, %q, %q; want Spanish ones", b.name, got.Send, got.Menu, got.Placeholder)
	}
	if strings.Join(got.Labels, "|") != strings.Join(labels, "|") {
		t.Errorf("%s: day labels %q, want %q", b.name, got.Labels, labels)
	}
	for i, d := range got.Drawn {
		if i < len(labels) && d != jsString(labels[i]) {
			t.Errorf("%s: day label %d is drawn as %s, want %q", b.name, i, d, labels[i])
		}
	}
	for i, month := range months {
		if i >= len(got.Titles) || !strings.Contains(got.Titles[i], " de "+month+" de ") {
			t.Errorf("%s: message %d's full time reads %q, want it in Spanish (… de %s de …)", b.name, i, got.Titles, month)
		}
	}

	b.run(t, "type near the length limit", chromedp.Evaluate(`(() => {
		const t = document.querySelector("#composer textarea");
		t.value = "x".repeat(Number(t.dataset.maxLength) - 1234);
		t.dispatchEvent(new Event("input", { bubbles: true }));
	})()`, nil))
	b.waitFor(t, "the counter in Spanish", `document.querySelector("#composer output.counter").textContent === "quedan 1234 caracteres" ||
		document.querySelector("#composer output.counter").textContent === "quedan 1.234 caracteres"`, 2*time.Second)
	b.run(t, "empty the composer", chromedp.Evaluate(`(() => {
		const t = document.querySelector("#composer textarea");
		t.value = "";
		t.dispatchEvent(new Event("input", { bubbles: true }));
	})()`, nil))
}
