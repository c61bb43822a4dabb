// Package i18n is charla's words in English and Spanish.
//
// Every word a person reads comes from the catalog (catalog.go): a Go map
// from a message id ("signin.title") to its English and Spanish text. The
// request's context carries the reader's language (WithLang): the person's
// setting (users.lang, the /settings page), else what their browser
// prefers (Accept-Language, q-values and all), else English; handlers put
// it there and render passes it on.
//
// To add words:
//   - In a templ file: add an id with both texts to the catalog and write
//     { T(ctx, "room.join", name) } (T is views.T; ctx is templ's own).
//     Attributes the same: aria-label={ T(ctx, "…") }.
//   - In a handler: tr(c, "problem.busy"), or an echo.HTTPError whose
//     message is an id (the error page translates it).
//   - For charla.js: render the words into a data attribute of the element
//     the script works on (data-text={ T(ctx, "unread.jump") }, holes such
//     as {n} filled by the script), never a dictionary in the script.
//     Numbers in the script: n.toLocaleString(document.documentElement.lang).
//   - A text with arguments is a fmt format (%s, %d; %[2]s to reorder);
//     numbers come out the language's way (4,001 / 4.001).
//
// Frames sent over a socket to every reader of a room are rendered once,
// for readers of both languages: they carry no words of their own, or
// take them from the page (a data attribute the page rendered in its
// reader's language, read by CSS attr() or a line of script; words beside
// the frame's element that CSS shows or hides by it; an aria-labelledby
// naming an element of the page). A frame for
// one page alone (a failed send, the sidebar, unread counts) is rendered
// in its socket's language (handlers' renderIn). Rendering with a context
// without a language gives English, never a panic.
//
// The tests refuse an id with a language missing or different holes, an
// id used but not in the catalog, a text node or label attribute left as a
// literal in a templ file, and a shared frame that differs by language.
package i18n

import (
	"context"
	"fmt"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Lang is a language the interface speaks, by its BCP 47 tag, which is
// also what <html lang> and Intl on the page get.
type Lang string

const (
	English Lang = "en"
	Spanish Lang = "es"
	// Default is the language of a reader whose browser asks for none of
	// the supported ones.
	Default = English
)

// Supported is every language of the catalog, the default first.
var Supported = []Lang{English, Spanish}

// Name is a language's name in itself, as a language menu shows it.
func (l Lang) Name() string {
	switch l {
	case Spanish:
		return "Español"
	default:
		return "English"
	}
}

// Parse returns the supported language tagged s ("en", "es"), if it is one.
func Parse(s string) (Lang, bool) {
	for _, l := range Supported {
		if string(l) == s {
			return l, true
		}
	}
	return "", false
}

type ctxKey struct{}

// WithLang returns ctx speaking l.
func WithLang(ctx context.Context, l Lang) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// LangOf returns the language ctx speaks: Default unless WithLang said.
func LangOf(ctx context.Context) Lang {
	if l, ok := ctx.Value(ctxKey{}).(Lang); ok {
		return l
	}
	return Default
}

// printers format a message's arguments (numbers with the language's
// separators: 4,000 and 4.000).
var printers = map[Lang]*message.Printer{
	English: message.NewPrinter(language.English),
	Spanish: message.NewPrinter(language.Spanish),
}

// T returns the message id in ctx's language. With args, the text is a
// fmt format ("%d", or "%[2]s" where the languages' word order differs)
// and numbers among args are written the language's way. An id missing
// from the catalog comes back as itself, which the tests catch.
func T(ctx context.Context, id string, args ...any) string {
	return In(LangOf(ctx), id, args...)
}

// In is T for a language given directly.
func In(l Lang, id string, args ...any) string {
	m, ok := catalog[id]
	if !ok {
		return id
	}
	text := m.in(l)
	if len(args) == 0 {
		return text
	}
	if p, ok := printers[l]; ok {
		return p.Sprintf(text, args...)
	}
	return fmt.Sprintf(text, args...)
}

// Has reports whether id is in the catalog.
func Has(id string) bool {
	_, ok := catalog[id]
	return ok
}

// IDs returns every message id of the catalog, for the tests.
func IDs() []string {
	ids := make([]string, 0, len(catalog))
	for id := range catalog {
		ids = append(ids, id)
	}
	return ids
}

// text is one message in each language.
type text struct{ En, Es string }

func (t text) in(l Lang) string {
	if l == Spanish && t.Es != "" {
		return t.Es
	}
	return t.En
}

// matcher picks the closest supported language to what a browser asks
// for ("es-MX" is Spanish; "fr" is nothing: the default).
var matcher = language.NewMatcher([]language.Tag{language.English, language.Spanish})

// maxAcceptLanguage bounds the Accept-Language header Match reads:
// browsers send a few dozen bytes; a longer one is nobody's preference,
// and is not worth parsing on every request.
const maxAcceptLanguage = 512

// Match returns the language to speak to a browser that sent
// acceptLanguage (an Accept-Language header, q-values and all): the
// supported one it prefers, or Default.
func Match(acceptLanguage string) Lang {
	if len(acceptLanguage) > maxAcceptLanguage {
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Supported[i]
}
