// Package search is what charla's search means, as pure functions shared
// by the store (which indexes and matches) and the views (which mark the
// matches): how text becomes words, how a query becomes terms, and which
// words of a message a query marks.
//
// The rule, the same on every backend: a message matches a query when
// every term of the query is the beginning of some word of the message,
// compared without case or accents. "diseño" finds "Diseños", "hola mundo"
// finds "¡Mundo, hola!", "mun" finds "mundial". Words are runs of letters
// and digits of any script; everything else separates them. Both index
// paths (SQLite FTS5 prefix queries, and instr over the same words where
// FTS5 is missing) store the words Words returns, joined by spaces, so
// they agree by construction.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Bounds on a query: a search is one request's work, and a query is typed
// by a person, not pasted from a book.
const (
	// MaxQueryLen is the longest query read, in characters; the rest is
	// dropped (the search box says so with its maxlength).
	MaxQueryLen = 100
	// MaxTerms is how many terms of a query count; more add little but
	// each costs a pass over the candidates.
	MaxTerms = 6
	// MinTermLen is the shortest term, in characters: a one-letter prefix
	// matches nearly every message and, in FTS5, reads most of the index.
	MinTermLen = 2
)

// Fold returns one word as it is indexed and compared: compatibility
// decomposed (NFKD: "ﬁ" is "fi", "²" is "2"), without combining marks
// (accents), lower case, and only letters and digits.
func Fold(word string) string {
	var b strings.Builder
	b.Grow(len(word))
	for _, r := range norm.NFKD.String(word) {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// span is where a word is in a text: [start, end) in bytes.
type span struct{ start, end int }

// isWordRune: letters and digits make words; combining marks stay with
// the word they follow (an accent typed as its own character).
func isWordRune(r rune, inWord bool) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || (inWord && unicode.Is(unicode.M, r))
}

func spans(text string) []span {
	var out []span
	start := -1
	for i, r := range text {
		in := isWordRune(r, start >= 0)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, span{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, span{start, len(text)})
	}
	return out
}

// Words returns the folded words of text, in order (repeats kept).
func Words(text string) []string {
	var out []string
	for _, s := range spans(text) {
		if w := Fold(text[s.start:s.end]); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// Indexed is what both index paths store for a message body: its folded
// words, each preceded by one space (" hola mundo"), so that " "+term
// occurring in it means term begins a word. An empty body (a deleted
// message) gives "", which nothing matches.
func Indexed(body string) string {
	words := Words(body)
	if len(words) == 0 {
		return ""
	}
	return " " + strings.Join(words, " ")
}

// Query is a parsed search.
type Query struct {
	Text  string   // what was typed, cut to MaxQueryLen, trimmed
	Terms []string // folded, distinct, at least MinTermLen, at most MaxTerms
}

// Parse reads a typed query. A query with no usable term has no Terms and
// matches nothing.
func Parse(typed string) Query {
	if utf8.RuneCountInString(typed) > MaxQueryLen {
		typed = string([]rune(typed)[:MaxQueryLen])
	}
	q := Query{Text: strings.TrimSpace(typed)}
	for _, w := range Words(q.Text) {
		if utf8.RuneCountInString(w) < MinTermLen || contains(q.Terms, w) {
			continue
		}
		q.Terms = append(q.Terms, w)
		if len(q.Terms) == MaxTerms {
			break
		}
	}
	return q
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Matches says whether body matches q by the rule above: the reference
// the store's paths are tested against.
func (q Query) Matches(body string) bool {
	if len(q.Terms) == 0 {
		return false
	}
	words := Words(body)
	for _, t := range q.Terms {
		if !anyPrefix(words, t) {
			return false
		}
	}
	return true
}

func anyPrefix(words []string, term string) bool {
	for _, w := range words {
		if strings.HasPrefix(w, term) {
			return true
		}
	}
	return false
}

// Part is a piece of a message as a result shows it: text, marked or not.
type Part struct {
	Text string
	Mark bool
}

// Context bounds how much of a long message a result shows.
const (
	// ContextLen is the most characters of a message a result shows.
	ContextLen = 280
	// ContextBefore is how many of them come before the first match.
	ContextBefore = 80
)

// Highlight splits body into parts, marking each word that a term of q
// begins (the whole word: "mun" marks "mundial"). A body longer than
// ContextLen is cut to a window around its first mark, with "…" where it
// was cut.
func Highlight(body string, q Query) []Part {
	var parts []Part
	last := 0
	for _, s := range spans(body) {
		w := Fold(body[s.start:s.end])
		if w == "" || !startsAny(w, q.Terms) {
			continue
		}
		if s.start > last {
			parts = append(parts, Part{Text: body[last:s.start]})
		}
		parts = append(parts, Part{Text: body[s.start:s.end], Mark: true})
		last = s.end
	}
	if last < len(body) {
		parts = append(parts, Part{Text: body[last:]})
	}
	return window(parts)
}

func startsAny(word string, terms []string) bool {
	for _, t := range terms {
		if strings.HasPrefix(word, t) {
			return true
		}
	}
	return false
}

// window cuts parts to at most ContextLen characters, starting up to
// ContextBefore characters before the first marked part.
func window(parts []Part) []Part {
	total, first := 0, -1
	for _, p := range parts {
		if p.Mark && first < 0 {
			first = total
		}
		total += utf8.RuneCountInString(p.Text)
	}
	if total <= ContextLen {
		return parts
	}
	from := max(0, first-ContextBefore)
	to := from + ContextLen
	var out []Part
	if from > 0 {
		out = append(out, Part{Text: "…"})
	}
	pos := 0
	for _, p := range parts {
		r := []rune(p.Text)
		lo, hi := max(from-pos, 0), min(to-pos, len(r))
		if lo < hi {
			out = append(out, Part{Text: string(r[lo:hi]), Mark: p.Mark})
		}
		pos += len(r)
	}
	if to < total {
		out = append(out, Part{Text: "…"})
	}
	return out
}
