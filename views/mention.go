package views

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charla/charla/chat"
	"golang.org/x/text/secure/precis"
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

// MentionKey is how a name (with or without its @) is compared: its
// PRECIS form with case folded (RFC 8265's UsernameCaseMapped, which is
// how usernames are keyed where they are stored): "@Ana", "@ANA" and
// "@ａｎａ" all mention ana, and "lo\u0301pez" (an accent apart) is
// "lópez". A name PRECIS refuses is compared in lower case. A page's reader
// and a mention in a message match when their keys do.
func MentionKey(name string) string {
	name = strings.TrimPrefix(name, "@")
	if key, err := precis.UsernameCaseMapped.String(name); err == nil {
		return key
	}
	return strings.ToLower(name)
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

// MentionStyleURL is the reader's own stylesheet (for a name a mention can
// carry: one that ends in a full stop cannot), which makes mentions of
// them stand out: its rules depend only on the name in its address, so it
// is cached like an asset (the build's version is in the address too).
func MentionStyleURL(username string) string {
	return "/mentions.css?me=" + url.QueryEscape(MentionKey(username)) + "&v=" + url.QueryEscape(AssetVersion)
}

// ValidMentionKey reports whether key is a name's key: what a mention of
// it would carry in data-mention.
func ValidMentionKey(key string) bool {
	return key != "" && mentionLen("@"+key) == len(key)+1 && MentionKey(key) == key
}

// MentionStyle is the stylesheet for the reader whose key is key (valid:
// see ValidMentionKey, so it needs no escaping in a CSS string): their
// mentions and the messages that hold them stand out, but not their own
// messages that name themselves. Its colours are charla.css's custom
// properties (--mention-me-bg, --mention-row), light and dark; these rules
// say which elements they are for, which a fragment rendered once for
// every reader cannot.
func MentionStyle(key string) string {
	return `.mention[data-mention="` + key + `"] { background: var(--mention-me-bg); color: var(--fg); font-weight: 700; border-radius: 3px; padding: 0 .15rem; }
.msg:not([data-author="` + key + `" i]):has(.mention[data-mention="` + key + `"]) { background: var(--mention-row); box-shadow: inset 3px 0 var(--warn); }
`
}

// mentionWord follows a sidebar's mention count, for screen readers
// ("2 mentions"); the screen shows "@2". The words of notifications and
// of the live region are in the catalog too ("notify.").
func mentionWord(ctx context.Context, n int) string {
	if n == 1 {
		return T(ctx, "sidebar.mention")
	}
	return T(ctx, "sidebar.mentions")
}

// badgeCount is a count as a badge shows it: "99+" from chat.MaxUnread.
func badgeCount(n int) string {
	if n >= chat.MaxUnread {
		return "99+"
	}
	return strconv.Itoa(n)
}
