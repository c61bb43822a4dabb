package search

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWordsFoldCaseAccentsAndCompatibilityForms(t *testing.T) {
	got := Words("¡Hola, MUNDO! Diseño café ﬁn x²  日本語 Straße e\u0301")
	want := []string{"hola", "mundo", "diseno", "cafe", "fin", "x2", "日本語", "straße", "e"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Words = %q, want %q", got, want)
	}
	if got := Indexed("  "); got != "" {
		t.Errorf("Indexed of a blank body = %q, want empty", got)
	}
	if got := Indexed("Hola mundo"); got != " hola mundo" {
		t.Errorf("Indexed = %q, want %q", got, " hola mundo")
	}
}

func TestParseBoundsTheQuery(t *testing.T) {
	q := Parse(`  "Hola" OR mundo* a hola -near(x) uno dos tres cuatro cinco `)
	want := []string{"hola", "or", "mundo", "near", "uno", "dos"}
	if !reflect.DeepEqual(q.Terms, want) {
		t.Errorf("terms %q, want %q (distinct, at least %d characters, at most %d)", q.Terms, want, MinTermLen, MaxTerms)
	}
	long := Parse(strings.Repeat("ab ", 200))
	if n := utf8.RuneCountInString(long.Text); n > MaxQueryLen {
		t.Errorf("query text kept %d characters, want at most %d", n, MaxQueryLen)
	}
	if q := Parse("a b c"); len(q.Terms) != 0 || q.Matches("a b c") {
		t.Errorf("one-letter terms: %q, want none and no match", q.Terms)
	}
}

func TestHighlightMarksWholeWordsAndKeepsText(t *testing.T) {
	body := "El Mundial: <b>mundo</b> & hola"
	parts := Highlight(body, Parse("mun"))
	var joined strings.Builder
	var marked []string
	for _, p := range parts {
		joined.WriteString(p.Text)
		if p.Mark {
			marked = append(marked, p.Text)
		}
	}
	if joined.String() != body {
		t.Errorf("parts join to %q, want the body %q", joined.String(), body)
	}
	if want := []string{"Mundial", "mundo"}; !reflect.DeepEqual(marked, want) {
		t.Errorf("marked %q, want %q", marked, want)
	}
}

func TestHighlightCutsLongMessagesAroundTheMatch(t *testing.T) {
	body := strings.Repeat("relleno ", 100) + "aguja " + strings.Repeat("relleno ", 100)
	parts := Highlight(body, Parse("aguja"))
	n := 0
	found := false
	for _, p := range parts {
		n += utf8.RuneCountInString(p.Text)
		found = found || (p.Mark && p.Text == "aguja")
	}
	if !found || n > ContextLen+2 || parts[0].Text != "…" || parts[len(parts)-1].Text != "…" {
		t.Errorf("window of %d characters (found %v): %+v", n, found, parts)
	}
}
