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

// speakSpanish makes b's browser ask for Spanish, as one set to Spanish does.
func (b *browser) speakSpanish(t *testing.T) {
	t.Helper()
	var ua string
	b.run(t, "read the user agent", chromedp.Evaluate(`navigator.userAgent`, &ua))
	b.run(t, "ask for Spanish", emulation.SetUserAgentOverride(ua).WithAcceptLanguage(spanishBrowser))
}

// TestBrowserSpanishRoomPlaces: a Spanish reader and an English one in the
// same room each read the places added after the catalog in their own
// language: the message menu's buttons, the edited mark, who is typing
// (the same frame for both, the words from each page), who is online, the
// member list and the search page.
func TestBrowserSpanishRoomPlaces(t *testing.T) {
	chromium := chromiumPath(t)
	app := startApp(t)
	home := "http://" + app.cfg.Addr + "/"
	a := newBrowser(t, chromium, "A", "lucía")
	b := newBrowser(t, chromium, "B", "bruno")
	a.speakSpanish(t)
	for _, p := range []*browser{a, b} {
		p.signUp(t, home, p.username, p.username+"-contraseña-123")
		p.waitConnected(t)
	}
	a.waitFor(t, "who is online, labelled in Spanish", `document.querySelector("#online [data-name='bruno']") && document.getElementById("online").getAttribute("aria-label") === "En línea ahora"`, 5*time.Second)
	b.waitFor(t, "who is online, labelled in English", `document.querySelector("#online [data-name='lucía']") && document.getElementById("online").getAttribute("aria-label") === "Online now"`, 5*time.Second)

	// The message menu, fetched for each reader.
	a.sendAndSee(t, "her message", "hola bruno", []string{"hola bruno"})
	mine := `[...document.querySelectorAll("#messages > .msg")].find((m) => m.querySelector(".body")?.textContent.startsWith("hola bruno"))`
	var name string
	if err := a.eval(`document.getElementById(`+mine+`.querySelector(".more").getAttribute("aria-labelledby")).textContent`, &name); err != nil || name != "Acciones del mensaje" {
		t.Errorf("the menu link is named %q (%v), want Acciones del mensaje", name, err)
	}
	a.run(t, "open the menu", chromedp.Evaluate(mine+`.querySelector(".more").click()`, nil))
	a.waitFor(t, "the menu", mine+`?.querySelector(".msg-menu .actions")`, 5*time.Second)
	var menu map[string]string
	var raw string
	a.run(t, "read the menu", chromedp.Evaluate(`JSON.stringify((() => {
		const m = document.querySelector(".msg-menu .actions");
		return {
			react: m.querySelector(".react-picker").getAttribute("aria-label"),
			edit: m.querySelector(".edit textarea").getAttribute("aria-label"),
			save: m.querySelector(".edit button").textContent,
			delete: m.querySelector(".delete button").textContent,
			close: m.querySelector(".close-menu").textContent,
		};
	})())`, &raw))
	if err := json.Unmarshal([]byte(raw), &menu); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"react": "Reaccionar", "edit": "Editar el mensaje", "save": "Guardar", "delete": "Borrar", "close": "Cerrar"} {
		if menu[k] != want {
			t.Errorf("the menu's %s reads %q, want %q", k, menu[k], want)
		}
	}
	a.run(t, "edit and save",
		chromedp.Evaluate(mine+`.querySelector(".edit textarea").value = "hola bruno, ¿qué tal?"`, nil),
		chromedp.Evaluate(mine+`.querySelector(".edit button").click()`, nil))
	for p, want := range map[*browser]string{a: `"(editado)"`, b: `"(edited)"`} {
		p.waitFor(t, "the edited mark in the reader's language",
			`getComputedStyle(document.querySelector("#messages .msg header .edited"), "::after").content === `+jsString(want), 5*time.Second)
	}

	// Who is typing: one frame for both pages, each page's own words.
	b.run(t, "type without sending", chromedp.SendKeys(`#composer textarea`, "mmm", chromedp.ByQuery))
	a.waitFor(t, "bruno está escribiendo",
		`document.getElementById("typing").textContent === "bruno" && getComputedStyle(document.querySelector(".typing"), "::after").content === '" está escribiendo…"'`, 5*time.Second)
	b.run(t, "type in the other page", chromedp.Evaluate(`document.querySelector("#composer textarea").value = ""`, nil))
	// Her page says "typing" at most every 2 s, and she has just been
	// typing (her message, the edit): she types on until bruno sees it.
	seen := `document.getElementById("typing").textContent === "lucía" && getComputedStyle(document.querySelector(".typing"), "::after").content === '" is typing…"'`
	for deadline := time.Now().Add(10 * time.Second); ; {
		a.run(t, "type without sending", chromedp.SendKeys(`#composer textarea`, "e", chromedp.ByQuery))
		var ok bool
		if err := b.eval(seen, &ok); err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			b.waitFor(t, "lucía is typing", seen, time.Second)
		}
		time.Sleep(300 * time.Millisecond)
	}
	a.run(t, "empty the composer", chromedp.Evaluate(`document.querySelector("#composer textarea").value = ""`, nil))

	// The member list.
	a.clickThrough(t, "open the member list", ".top .members-link", `location.pathname === "/rooms/1/members"`, 5*time.Second)
	a.run(t, "read the member list", chromedp.Evaluate(`JSON.stringify({
		title: document.title,
		link: document.querySelector(".top .members-link").textContent,
		topic: document.getElementById("topic-heading").textContent,
		save: document.querySelector(".topic-form button").textContent,
		count: document.getElementById("members-heading").textContent,
		you: document.querySelector(".members .note").textContent,
		message: document.querySelector(".members .message-member button").textContent,
		messageLabel: document.querySelector(".members .message-member button").getAttribute("aria-label"),
		add: document.getElementById("add-heading").textContent,
		leave: document.querySelector(".leave-link").textContent,
	})`, &raw))
	var members map[string]string
	if err := json.Unmarshal([]byte(raw), &members); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"title": "Miembros de #general · charla", "link": "Miembros", "topic": "Tema", "save": "Guardar el tema", "count": "2 miembros",
		"you": "(tú)", "message": "Escribir", "messageLabel": "Escribir a bruno", "add": "Añadir a alguien", "leave": "Salir de #general…",
	} {
		if members[k] != want {
			t.Errorf("the member list's %s reads %q, want %q", k, members[k], want)
		}
	}
	a.saveScreenshot(t, "members-es")

	// The search page.
	a.run(t, "search", chromedp.Navigate(home+"search?q=qué"))
	a.waitFor(t, "the Spanish search page", `document.querySelector("h1.room")?.textContent === "Búsqueda" && document.title === "qué · Búsqueda · charla"`, 5*time.Second)
	var search map[string]string
	a.run(t, "read the search page", chromedp.Evaluate(`JSON.stringify({
		skip: document.querySelector(".skip").textContent,
		placeholder: document.querySelector(".search-main input").placeholder,
		label: document.querySelector(".search-main input").getAttribute("aria-label"),
		button: document.querySelector(".search-main button").textContent,
		rule: document.querySelector(".search-rule").textContent,
		hit: document.querySelector(".hits .hit .body")?.textContent ?? "",
	})`, &raw))
	if err := json.Unmarshal([]byte(raw), &search); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"skip": "Ir a los resultados", "placeholder": "Buscar", "label": "Buscar mensajes", "button": "Buscar",
		"rule": "Cada palabra que escribas debe ser el principio de una palabra del mensaje; las mayúsculas y los acentos dan igual.",
		"hit":  "hola bruno, ¿qué tal?",
	} {
		if search[k] != want {
			t.Errorf("the search page's %s reads %q, want %q", k, search[k], want)
		}
	}
	a.saveScreenshot(t, "search-es")
	a.checkConsole(t)
	b.checkConsole(t)
}
