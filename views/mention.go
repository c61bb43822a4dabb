package views

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A mention is @ and a name, at the start of a word: "@ana", "(@ana)",
// "@ana." (the full stop ends the sentence), but not "ana@example.org".
// A name is what a username may be: minMention to maxMention characters,
// letters and digits of any script (usernames may soon take them), and
// _ . - inside. It is highlighted whether or not anyone has that name: a
// fragment is rendered once for every reader, without asking the database.
// data-mention carries the name in lower case (usernames are unique
// without regard to case), which the reader's own stylesheet
// (MentionStyle) and the sidebar's mention counts compare with theirs.
const (
	minMention = 3  // db.ValidUsername's shortest
	maxMention = 32 // db.MaxNameLen
)

// mentionRune reports whether r may be part of a name.
func mentionRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_' || r == '.' || r == '-'
}

// mentionStart reports whether the @ at body[i] begins a word: one glued
// to a name before it is an address (ana@example.org).
func mentionStart(body string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(body[:i])
	return !mentionRune(r)
}

// mentionLen is the length of the mention s begins with (s[0] is @), the @
// included, or 0. Full stops at its end are the sentence's; a run of name
// characters longer than a name is not one (and not its beginning either).
func mentionLen(s string) int {
	end := 1
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if r == utf8.RuneError || !mentionRune(r) {
			break
		}
		end += size
	}
	for end > 1 && s[end-1] == '.' {
		end--
	}
	if n := utf8.RuneCountInString(s[1:end]); n < minMention || n > maxMention {
		return 0
	}
	return end
}

// MentionKey is how a name (with or without its @) is compared: in lower
// case. A page's reader and a mention in a message match when their keys do.
func MentionKey(name string) string {
	return strings.ToLower(strings.TrimPrefix(name, "@"))
}

// Mentions returns the keys of the names body mentions, each once, in
// order: exactly the mentions that its rendering highlights (none inside
// code). Nil when there are none, without allocating.
func Mentions(body string) []string {
	if strings.IndexByte(body, '@') < 0 {
		return nil
	}
	var out []string
	for _, s := range segments(body) {
		if s.kind != mentionSegment {
			continue
		}
		if k := MentionKey(s.text); !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// Mentioned reports whether body mentions the person whose key is key.
func Mentioned(body, key string) bool {
	return slices.Contains(Mentions(body), key)
}
