package i18n_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/i18n"
)

// holes are what a text leaves for arguments: fmt verbs and charla.js's
// {n}-style holes. Both languages of a message must leave the same ones.
var holes = regexp.MustCompile(`%(\[\d+\])?[sdv]|\{[a-z]+\}`)

func sortedHoles(s string) []string {
	h := holes.FindAllString(s, -1)
	for i, x := range h {
		h[i] = regexp.MustCompile(`\[\d+\]`).ReplaceAllString(x, "")
	}
	slices.Sort(h)
	return h
}

// TestEveryMessageHasBothLanguages: no message is missing a language, and
// both leave the same holes for their arguments.
func TestEveryMessageHasBothLanguages(t *testing.T) {
	for _, id := range i18n.IDs() {
		en, es := i18n.In(i18n.English, id), i18n.In(i18n.Spanish, id)
		if strings.TrimSpace(en) == "" {
			t.Errorf("%s: no English", id)
		}
		if strings.TrimSpace(es) == "" || (es == en && !sameInBoth[id]) {
			t.Errorf("%s: no Spanish (%q)", id, es)
		}
		if !slices.Equal(sortedHoles(en), sortedHoles(es)) {
			t.Errorf("%s: English leaves %v, Spanish %v", id, sortedHoles(en), sortedHoles(es))
		}
	}
}

// sameInBoth are the messages whose Spanish is the English.
var sameInBoth = map[string]bool{"nav.admin": true}

// idLiteral finds string literals that look like message ids: a group of
// the catalog's ("room", "send"…), a dot, and more. An id put together at
// run time ("error.status-" + code) is not seen: its parts are no id.
func idLiteral(groups []string) *regexp.Regexp {
	return regexp.MustCompile(`"((?:` + strings.Join(groups, "|") + `)\.[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)"`)
}

// TestEveryIDUsedIsInTheCatalog: every id the code asks for (in Go or
// templ, T(ctx, "room.join") or a constant like "problem.busy") is in
// the catalog, so that no reader ever sees a bare id.
func TestEveryIDUsedIsInTheCatalog(t *testing.T) {
	var groups []string
	for _, id := range i18n.IDs() {
		g, _, _ := strings.Cut(id, ".")
		if !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	re := idLiteral(groups)
	used := 0
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "_templ.go") || filepath.Base(path) == "catalog.go" ||
			!(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".templ")) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			used++
			if !i18n.Has(m[1]) {
				t.Errorf("%s: %q is not in the catalog (i18n/catalog.go)", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if used < 50 {
		t.Errorf("found %d uses of message ids; the scan is broken", used)
	}
}

func TestTranslatesWithArguments(t *testing.T) {
	es := i18n.WithLang(context.Background(), i18n.Spanish)
	if got, want := i18n.T(es, "send.too-long", 4001, 4000), "No enviado: tu mensaje tiene 4.001 caracteres y el límite es 4.000. Acórtalo y envíalo de nuevo."; got != want {
		t.Errorf("Spanish too-long: %q, want %q", got, want)
	}
	if got, want := i18n.T(context.Background(), "room.join", "#diseño"), "Join #diseño"; got != want {
		t.Errorf("no language: %q, want the English %q", got, want)
	}
	if got := i18n.T(es, "no.such-id"); got != "no.such-id" {
		t.Errorf("an unknown id: %q, want the id itself", got)
	}
}

func TestMatchAcceptLanguage(t *testing.T) {
	for header, want := range map[string]i18n.Lang{
		"":                                   i18n.English,
		"es":                                 i18n.Spanish,
		"es-MX,es;q=0.9":                     i18n.Spanish,
		"en-US,en;q=0.9,es;q=0.8":            i18n.English,
		"en;q=0.5, es;q=0.9":                 i18n.Spanish, // q-values, not order, decide
		"fr-FR,fr;q=0.9":                     i18n.English, // neither: the default
		"fr-FR,fr;q=0.9,es;q=0.5":            i18n.Spanish, // the one supported that is asked for
		"de, *;q=0.1":                        i18n.English,
		"not a ;;; header":                   i18n.English,
		"es;q=0, en;q=0.1":                   i18n.English, // q=0: not acceptable
		"es," + strings.Repeat("x-yz,", 200): i18n.English, // past maxAcceptLanguage: not read
	} {
		if got := i18n.Match(header); got != want {
			t.Errorf("Match(%q) = %s, want %s", header, got, want)
		}
	}
}

// TestMomentInBothLanguages: a search result's time without script is
// written in the reader's language.
func TestMomentInBothLanguages(t *testing.T) {
	at := time.Date(2026, time.September, 3, 7, 5, 0, 0, time.UTC)
	es := i18n.WithLang(context.Background(), i18n.Spanish)
	if got, want := i18n.Moment(es, at), "3 sept 2026 07:05"; got != want {
		t.Errorf("Spanish: %q, want %q", got, want)
	}
	if got, want := i18n.Moment(context.Background(), at), "Sep 3, 2026 07:05"; got != want {
		t.Errorf("English: %q, want %q", got, want)
	}
}
