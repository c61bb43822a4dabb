package handlers_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/coder/websocket"
)

// acceptLanguage is a browser's transport that asks for languages, as
// every request of a real browser does (the socket's handshake too).
type acceptLanguage struct {
	base   http.RoundTripper
	header string
}

func (a acceptLanguage) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", a.header)
	r.Header.Set("Accept", "text/html,application/xhtml+xml")
	return a.base.RoundTrip(r)
}

// speaks makes p's browser ask for header's languages.
func (p *person) speaks(header string) *person {
	p.client.Transport = acceptLanguage{base: http.DefaultTransport, header: header}
	return p
}

// mustContain fails unless page holds every one of want.
func mustContain(t *testing.T, what, page string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("%s lacks %q:\n%.600s", what, w, page)
		}
	}
}

// TestLanguageFollowsAcceptLanguage: a signed-out visitor reads the
// language their browser prefers among English and Spanish, by q-value,
// and English otherwise; the page's lang says which.
func TestLanguageFollowsAcceptLanguage(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	for _, c := range []struct {
		header, lang, word string
	}{
		{"es-ES,es;q=0.9", "es", "¿Primera vez aquí?"},
		{"en;q=0.5, es;q=0.9", "es", "¿Primera vez aquí?"},
		{"fr-FR,fr;q=0.9,es;q=0.4", "es", "¿Primera vez aquí?"},
		{"en-GB", "en", "New here?"},
		{"fr-FR", "en", "New here?"},
		{"", "en", "New here?"},
	} {
		p := srv.stranger(t).speaks(c.header)
		resp, err := p.client.Get(srv.URL + "/signin")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Content-Language"); got != c.lang {
			t.Errorf("Accept-Language %q: Content-Language %q, want %q", c.header, got, c.lang)
		}
		mustContain(t, "sign-in page for "+c.header, p.get("/signin"), `<html lang="`+c.lang+`">`, c.word)
	}

	// Refused by Echo's CSRF middleware, before any handler: the page
	// still speaks the reader's language, in words for a person.
	p := srv.stranger(t).speaks("es")
	resp, body := p.post("/signin", url.Values{"_csrf": {"forged"}, "username": {"ana"}, "password": {"x"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a forged form: %d, want 403", resp.StatusCode)
	}
	mustContain(t, "the Spanish 403 page", html.UnescapeString(body), `<html lang="es">`, "<h2>Prohibido</h2>", "El formulario estaba desactualizado")
}

// TestLanguageSettingOverridesTheBrowser: a person who chose a language
// reads it whatever the browser asks for, on pages, error pages, form
// problems and the replies their socket alone gets; choosing "automatic"
// follows the browser again.
func TestLanguageSettingOverridesTheBrowser(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p := srv.visit(t).speaks("es-ES,es;q=0.9")
	mustContain(t, "a Spanish browser's room", p.enter(db.GeneralRoom), `<html lang="es">`, "Enviar", `data-today="Hoy"`, `data-status-connected="conectado"`)

	choose := func(lang string) {
		t.Helper()
		resp, body := p.post("/settings", url.Values{"_csrf": {p.csrf}, "lang": {lang}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/settings?saved=1" {
			t.Fatalf("choose %q: %d %s\n%.300s", lang, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}
	choose("en")
	mustContain(t, "the room after choosing English", p.enter(db.GeneralRoom), `<html lang="en">`, ">Send<", `data-today="Today"`)
	mustContain(t, "the settings page", p.get("/settings?saved=1"), "Saved.", `<option value="en" lang="en" selected>`)
	status, page := p.getStatus("/rooms/999999")
	if status != http.StatusNotFound {
		t.Fatalf("no such room: %d", status)
	}
	mustContain(t, "the 404 page", page, "<h2>Not Found</h2>", "No room here")

	choose("es")
	p.speaks("en-US") // the choice, not the browser
	mustContain(t, "the room after choosing Spanish", p.enter(db.GeneralRoom), `<html lang="es">`, "Enviar")
	_, page = p.getStatus("/rooms/999999")
	mustContain(t, "the Spanish 404 page", page, "<h2>No encontrado</h2>", "Aquí no hay ninguna sala")
	resp, _ := p.post("/direct", url.Values{"_csrf": {p.csrf}, "username": {"nadie-así"}, "from": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("message nobody: %d, want a redirect back", resp.StatusCode)
	}
	mustContain(t, "the problem shown after the redirect", html.UnescapeString(p.get(resp.Header.Get("Location"))), "No hay nadie más que se llame nadie-así.")

	// The socket's replies to this page alone speak the person's language.
	s := p.dial(-1)
	key := nextKey()
	s.sendKey(key, strings.Repeat("x", db.MaxMessageLen+1))
	mustContain(t, "the socket's too-long reply", s.read(5*time.Second), `id="pending-`+key+`"`, "No enviado: tu mensaje tiene 4.001 caracteres", "Enviar de nuevo")

	choose("")
	mustContain(t, "the room after choosing automatic", p.enter(db.GeneralRoom), `<html lang="en">`, ">Send<")

	resp, body := p.post("/settings", url.Values{"_csrf": {p.csrf}, "lang": {"fr"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("choose fr: %d, want 422", resp.StatusCode)
	}
	mustContain(t, "the refused choice", body, "Pick one of the languages listed.")
}

// signUpAs signs a new browser up as name, and returns it and the status.
func (s *server) signUpAs(t *testing.T, name string) (*person, *http.Response, string) {
	t.Helper()
	p := s.stranger(t)
	form := url.Values{"_csrf": {p.csrf}, "username": {name}, "password": {"correct horse battery"}}
	resp, body := p.post("/signup", form)
	for try := 0; resp.StatusCode == http.StatusServiceUnavailable && try < 5; try++ {
		time.Sleep(time.Second) // every hashing slot busy on a loaded machine
		resp, body = p.post("/signup", form)
	}
	return p, resp, body
}

// TestUsernamesInAnyLanguage: a username may be letters of any language;
// one that differs from a taken one only in capitals, width or how its
// accent is written is taken; signing in finds the account however the
// name is typed; the form says the rules before anyone breaks them.
func TestUsernamesInAnyLanguage(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		mustContain(t, "the sign-up form", srv.stranger(t).get("/signup"),
			`pattern="[\p{L}\p{M}\p{N}._\-]{3,32}"`, `aria-describedby="username-rules"`, "3 to 32 letters (of any language)")

		p, resp, body := srv.signUpAs(t, "López")
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign up López: %d\n%.300s", resp.StatusCode, body)
		}
		mustContain(t, "López's room", p.enter(db.GeneralRoom), `title="Your settings and language">López</a>`)
		for _, same := range []string{"lópez", "LÓPEZ", "Lo\u0301pez", "Ｌóｐｅｚ"} {
			if _, resp, body := srv.signUpAs(t, same); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "That username is taken.") {
				t.Errorf("sign up %q after López: %d, want 409 taken\n%.300s", same, resp.StatusCode, body)
			}
		}
		for _, name := range []string{"Lopez", "diseño", "東京の人"} {
			if _, resp, body := srv.signUpAs(t, name); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("sign up %q: %d, want it accepted\n%.300s", name, resp.StatusCode, body)
			}
		}
		for _, bad := range []string{"ló", "ana lópez", "ana!", "ﬁsh", "a\u200bbc"} {
			if _, resp, body := srv.signUpAs(t, bad); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Usernames are 3 to 32 letters") {
				t.Errorf("sign up %q: %d, want 422 with the rules\n%.300s", bad, resp.StatusCode, body)
			}
		}

		in := srv.stranger(t)
		resp, body = in.post("/signin", url.Values{"_csrf": {in.csrf}, "username": {"ＬÓＰＥＺ"}, "password": {"correct horse battery"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in as ＬÓＰＥＺ: %d, want López's account\n%.300s", resp.StatusCode, body)
		}
		mustContain(t, "the room after signing in", in.enter(db.GeneralRoom), `title="Your settings and language">López</a>`)
	})
}

// TestRoomNamesInAnyLanguage: a room name may be letters of any language,
// is kept in lowercase, and a look-alike of a taken one is taken.
func TestRoomNamesInAnyLanguage(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p := srv.visit(t)
	mustContain(t, "the sidebar's form", p.enter(db.GeneralRoom), `pattern="[\p{L}\p{M}\p{N}_\-]{2,40}"`, `aria-describedby="room-name-rules"`)
	resp, _ := p.post("/rooms", url.Values{"_csrf": {p.csrf}, "name": {"Diseño"}, "kind": {"public"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/rooms/") {
		t.Fatalf("create Diseño: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	mustContain(t, "the new room", p.get(resp.Header.Get("Location")), `<h1 class="room">#diseño</h1>`)
	for _, same := range []string{"diseño", "DISEN\u0303O", "ｄｉｓｅñｏ"} {
		resp, _ := p.post("/rooms", url.Values{"_csrf": {p.csrf}, "name": {same}, "kind": {"public"}, "from": {"1"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/rooms/1" {
			t.Fatalf("create %q: %d %s, want back to #general", same, resp.StatusCode, resp.Header.Get("Location"))
		}
		mustContain(t, "#general after "+same, p.get("/rooms/1"), "That name is not available.")
	}
}

// TestFramesForOnePageSpeakItsLanguage: what a socket sends its page alone
// is in that page's reader's language: who is online as it connects (the
// list's label) and the mention badges (their words for screen readers);
// and the pages added after the catalog speak Spanish too: the member
// list, the search page and their refusals.
func TestFramesForOnePageSpeakItsLanguage(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	reader, writer := srv.visit(t).speaks("es-ES,es"), srv.visit(t)
	side := createRoom(t, writer, "lado", "public")
	reader.enter(side)
	reader.post(fmt.Sprintf("/rooms/%d/join", side), url.Values{"_csrf": {reader.csrf}})
	mustContain(t, "the Spanish room", reader.enter(db.GeneralRoom),
		`<ul id="online" class="online" aria-label="En línea ahora">`, `data-one=" está escribiendo…" data-many=" están escribiendo…"`,
		`<span id="message-actions-label" hidden>Acciones del mensaje</span>`, "Mensajes directos", "Explorar salas públicas")

	// The first frame: the sidebar and who is online, for this page.
	u, _ := url.Parse(srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, fmt.Sprintf("ws://%s/rooms/%d/ws", u.Host, db.GeneralRoom), &websocket.DialOptions{
		HTTPClient: reader.client, HTTPHeader: http.Header{"Origin": {srv.URL}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	_, first, err := conn.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "the socket's first frame", string(first), `id="rooms"`, `<ul id="online" class="online" hx-swap-oob="outerHTML" aria-label="En línea ahora">`)

	// A mention in another room: the badge's words are Spanish.
	watcher := &socket{t: t, conn: conn, who: reader.name}
	writer.enter(side)
	writer.dial(-1).send("@" + reader.name + " mira")
	for {
		frame := watcher.read(5 * time.Second)
		if strings.Contains(frame, fmt.Sprintf(`id="mentions-%d"`, side)) {
			mustContain(t, "the mention badge", frame, `<span class="visually-hidden"> mención</span>`)
			break
		}
	}

	mustContain(t, "the member list", html.UnescapeString(reader.get(fmt.Sprintf("/rooms/%d/members", side))),
		"<title>Miembros de #lado · charla</title>", "2 miembros", "Guardar el tema", "(tú)", "Añadir a alguien", "Salir de #lado…")
	mustContain(t, "the question before leaving", html.UnescapeString(reader.get(fmt.Sprintf("/rooms/%d/leave", side))),
		"¿Salir de #lado?", "Ya no recibirás sus mensajes.", "Puedes volver a unirte desde las salas públicas.", "Quedarme")
	mustContain(t, "the search page", html.UnescapeString(reader.get("/search?q=mira")),
		"<h1 class=\"room\">Búsqueda</h1>", `placeholder="Buscar"`, "Cada palabra que escribas")
	for path, want := range map[string]string{
		"/search?q=mira&before=x": "before debe ser el id de un mensaje.",
		"/rooms/1?at=x":           "at debe ser el id de un mensaje.",
	} {
		status, page := reader.getStatus(path)
		if status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", path, status)
		}
		mustContain(t, path, html.UnescapeString(page), want)
	}
}
