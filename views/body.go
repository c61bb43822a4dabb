package views

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A message's body is plain text with four things picked out: web
// addresses (shown as links), `inline code` and ``` fenced blocks (shown as
// code), and @name mentions (highlighted). Nothing else is interpreted — no bold, no HTML, no other schemes —
// and every part is rendered through templ's escaping, so a body can never
// make markup of its own. The markers (backticks) are the only characters
// dropped; all else is shown as typed.

// segmentKind is what a part of a body is shown as.
type segmentKind uint8

const (
	textSegment    segmentKind = iota // plain text
	linkSegment                       // an http or https address, linked
	codeSegment                       // `inline code`
	blockSegment                      // a ``` fenced block
	mentionSegment                    // @name, the @ included
)

// segment is one part of a body: its kind and its text, without markers.
type segment struct {
	kind segmentKind
	text string
}

// fence is the shortest run of backticks that opens a code block; shorter
// runs open inline code, which ends at a run of the same length on the same
// line (so “ a ` b “ shows "a ` b", as in Markdown).
const fence = 3

// plainBody reports whether body has nothing to pick out: no backtick, no
// @ and no "://". Most messages are plain, and render with no segments at all.
func plainBody(body string) bool {
	return strings.IndexByte(body, '`') < 0 && strings.IndexByte(body, '@') < 0 && !strings.Contains(body, "://")
}

// segments splits body into text, links and code, in order. Adjacent text
// is one segment; an unclosed marker is text.
func segments(body string) []segment {
	var out []segment
	text := 0 // where the text not yet added began
	flush := func(end int) {
		if end > text {
			out = append(out, segment{textSegment, body[text:end]})
		}
	}
	for i := 0; i < len(body); {
		switch {
		case body[i] == '`':
			n := backticks(body[i:])
			seg, end, ok := code(body, i, n)
			if !ok {
				i += n // a marker without its pair is text
				continue
			}
			flush(i)
			out = append(out, seg)
			i, text = end, end
		case (body[i] == 'h' || body[i] == 'H') && wordStart(body, i):
			n := linkLen(body[i:])
			if n == 0 {
				i++
				continue
			}
			flush(i)
			out = append(out, segment{linkSegment, body[i : i+n]})
			i += n
			text = i
		case body[i] == '@' && mentionStart(body, i):
			n := mentionLen(body[i:])
			if n == 0 {
				i++
				continue
			}
			flush(i)
			out = append(out, segment{mentionSegment, body[i : i+n]})
			i += n
			text = i
		default:
			i++
		}
	}
	flush(len(body))
	return out
}

// backticks is the length of the run of backticks s begins with.
func backticks(s string) int {
	n := 0
	for n < len(s) && s[n] == '`' {
		n++
	}
	return n
}

// code reads the code that a run of n backticks at body[i] opens: the
// segment, where the body goes on after it, and whether the run is closed
// at all. A block ends at the next run of exactly n backticks anywhere;
// inline code at the next run of exactly n on the same line.
func code(body string, i, n int) (seg segment, end int, ok bool) {
	from := i + n
	for j := from; j < len(body); {
		switch {
		case body[j] == '\n' && n < fence:
			return segment{}, 0, false
		case body[j] != '`':
			j++
			continue
		}
		m := backticks(body[j:])
		if m != n {
			j += m
			continue
		}
		inner, end := body[from:j], j+m
		if n >= fence {
			if strings.TrimSpace(inner) == "" {
				return segment{}, 0, false // nothing to show as code
			}
			return segment{blockSegment, blockText(inner)}, skipNewline(body, end), true
		}
		if strings.Trim(inner, " ") == "" {
			return segment{}, 0, false // `` or ` `: nothing to show as code
		}
		// One space inside each end is padding (`` `x` `` shows "`x`").
		if len(inner) > 2 && inner[0] == ' ' && inner[len(inner)-1] == ' ' {
			inner = inner[1 : len(inner)-1]
		}
		return segment{codeSegment, inner}, end, true
	}
	return segment{}, 0, false
}

// blockText is a fenced block's code without the line breaks that follow
// the opening fence and precede the closing one: a block is its own box,
// and those would show as empty lines.
func blockText(s string) string {
	s = strings.TrimPrefix(s, "\r")
	s = strings.TrimPrefix(s, "\n")
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

// skipNewline is where the text after a block begins: past one line break
// right after the closing fence, which the block's own box already makes.
func skipNewline(body string, i int) int {
	if strings.HasPrefix(body[i:], "\r\n") {
		return i + 2
	}
	if strings.HasPrefix(body[i:], "\n") {
		return i + 1
	}
	return i
}

// wordStart reports whether body[i] begins a word: an address glued to a
// letter or digit before it ("xhttp://…") is not one.
func wordStart(body string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(body[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// linkLen is the length of the http or https address s begins with, or 0.
// An address ends at a space, a control character or one of < > " `
// (which no address needs unescaped), and does not take the punctuation
// that ends a sentence around it: a trailing . , : ; ! ? ' * nor a ) or ]
// that closes nothing opened inside it ("(see https://x.org/a_(b))." links
// https://x.org/a_(b)). Its host must begin with a letter, a digit or [.
func linkLen(s string) int {
	var scheme int
	switch {
	case hasPrefixFold(s, "https://"):
		scheme = len("https://")
	case hasPrefixFold(s, "http://"):
		scheme = len("http://")
	default:
		return 0
	}
	end := scheme
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`<>"`+"`", r) || r == utf8.RuneError && size == 1 {
			break
		}
		end += size
	}
	end = trimTrailing(s[:end], scheme)
	host, _ := utf8.DecodeRuneInString(s[scheme:end])
	if end == scheme || !unicode.IsLetter(host) && !unicode.IsDigit(host) && host != '[' {
		return 0
	}
	return end
}

// trimTrailing is the length of u (an address found in text, whose first
// from bytes are its scheme) without the punctuation after it.
func trimTrailing(u string, from int) int {
	end := len(u)
	for end > from {
		switch u[end-1] {
		case '.', ',', ':', ';', '!', '?', '\'', '*':
			end--
			continue
		case ')':
			if strings.Count(u[:end], "(") < strings.Count(u[:end], ")") {
				end--
				continue
			}
		case ']':
			if strings.Count(u[:end], "[") < strings.Count(u[:end], "]") {
				end--
				continue
			}
		}
		break
	}
	return end
}

// hasPrefixFold is strings.HasPrefix, ignoring ASCII case (prefix is lower case).
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
