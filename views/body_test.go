package views

import (
	"bytes"
	"context"
	"html"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charla/charla/chat"
)

func TestSegments(t *testing.T) {
	text := func(s string) segment { return segment{textSegment, s} }
	link := func(s string) segment { return segment{linkSegment, s} }
	code := func(s string) segment { return segment{codeSegment, s} }
	block := func(s string) segment { return segment{blockSegment, s} }
	mention := func(s string) segment { return segment{mentionSegment, s} }
	for _, tc := range []struct {
		body string
		want []segment
	}{
		{"", nil},
		{"hello", []segment{text("hello")}},
		// Links: http and https only, any case, up to a space.
		{"see https://example.com/a?b=1&c=2 now", []segment{text("see "), link("https://example.com/a?b=1&c=2"), text(" now")}},
		{"http://example.com", []segment{link("http://example.com")}},
		{"HTTPS://Example.com/X", []segment{link("HTTPS://Example.com/X")}},
		{"a\nhttps://x.org\tb", []segment{text("a\n"), link("https://x.org"), text("\tb")}},
		{"ftp://x.org mailto:a@b.c file:///etc/passwd", []segment{text("ftp://x.org mailto:a@b.c file:///etc/passwd")}},
		{"javascript:alert(1)", []segment{text("javascript:alert(1)")}},
		{"javascript://x.org/%0Aalert(1)", []segment{text("javascript://x.org/%0Aalert(1)")}},
		{"xhttps://x.org", []segment{text("xhttps://x.org")}},
		{"ñhttps://x.org", []segment{text("ñhttps://x.org")}},
		{"https://", []segment{text("https://")}},
		{"https://.", []segment{text("https://.")}},
		{"https:// x.org", []segment{text("https:// x.org")}},
		{"https:///etc", []segment{text("https:///etc")}},
		{"http://[::1]:8080/", []segment{link("http://[::1]:8080/")}},
		{"https://ñandú.example/año", []segment{link("https://ñandú.example/año")}},
		// Punctuation that ends a sentence is not the address's.
		{"go to https://x.org.", []segment{text("go to "), link("https://x.org"), text(".")}},
		{"https://x.org/a, https://x.org/b; ok?", []segment{link("https://x.org/a"), text(", "), link("https://x.org/b"), text("; ok?")}},
		{"https://x.org/!?!...", []segment{link("https://x.org/"), text("!?!...")}},
		{"(see https://x.org/a)", []segment{text("(see "), link("https://x.org/a"), text(")")}},
		{"(see https://x.org/a_(b)).", []segment{text("(see "), link("https://x.org/a_(b)"), text(").")}},
		{"https://x.org/a_(b)_c", []segment{link("https://x.org/a_(b)_c")}},
		{"[https://x.org/]", []segment{text("["), link("https://x.org/"), text("]")}},
		{"'https://x.org/it's'", []segment{text("'"), link("https://x.org/it's"), text("'")}},
		// Characters that never belong to an address end it: they stay text.
		{`https://x.org/"onmouseover="alert(1)`, []segment{link("https://x.org/"), text(`"onmouseover="alert(1)`)}},
		{"https://x.org/<script>alert(1)</script>", []segment{link("https://x.org/"), text("<script>alert(1)</script>")}},
		{"<https://x.org/>", []segment{text("<"), link("https://x.org/"), text(">")}},
		{"https://x.org/a\u00a0b", []segment{link("https://x.org/a"), text("\u00a0b")}},
		{"https://x.org/\x00a", []segment{link("https://x.org/"), text("\x00a")}},
		{"https://x.org/\xffa", []segment{link("https://x.org/"), text("\xffa")}},
		// Inline code, on one line; a run of n backticks ends at a run of n.
		{"run `make test` first", []segment{text("run "), code("make test"), text(" first")}},
		{"`<script>alert(1)</script>`", []segment{code("<script>alert(1)</script>")}},
		{"`https://x.org`", []segment{code("https://x.org")}},
		{"`` a ` b ``", []segment{code("a ` b")}},
		{"`` `x` ``", []segment{code("`x`")}},
		{"`a``b`", []segment{code("a``b")}},
		{"``a`", []segment{text("``a`")}},
		{"`a", []segment{text("`a")}},
		{"``", []segment{text("``")}},
		{"` `", []segment{text("` `")}},
		{"`a\nb`", []segment{text("`a\nb`")}},
		{"`a` and `b`", []segment{code("a"), text(" and "), code("b")}},
		{"it`s https://x.org", []segment{text("it`s "), link("https://x.org")}},
		// Fenced blocks, across lines; the line breaks at the fences go.
		{"look:\n```\nfunc f() {\n\treturn `x`\n}\n```\nthanks", []segment{text("look:\n"), block("func f() {\n\treturn `x`\n}"), text("thanks")}},
		{"```a```", []segment{block("a")}},
		{"```\r\na\r\n```\r\nb", []segment{block("a"), text("b")}},
		{"````a ``` b````", []segment{block("a ``` b")}},
		{"```\n<img src=x onerror=alert(1)>\n```", []segment{block("<img src=x onerror=alert(1)>")}},
		{"```\nhttps://x.org\n```", []segment{block("https://x.org")}},
		{"```go\nx := 1\n```", []segment{block("go\nx := 1")}},
		{"```a", []segment{text("```a")}},
		{"```\n```", []segment{text("```\n```")}},
		{"``````", []segment{text("``````")}},
		{"```a````", []segment{text("```a````")}},
		// Mentions: @ at a word's start and a name of 3 to 32 characters,
		// any script's letters and digits, _ . - inside; a final . is the
		// sentence's.
		{"hi @ana", []segment{text("hi "), mention("@ana")}},
		{"@Ana, look", []segment{mention("@Ana"), text(", look")}},
		{"(@ana.b-c_d)", []segment{text("("), mention("@ana.b-c_d"), text(")")}},
		{"thanks @ana.", []segment{text("thanks "), mention("@ana"), text(".")}},
		{"@lópez y @diseño2", []segment{mention("@lópez"), text(" y "), mention("@diseño2")}},
		{"ana@example.org", []segment{text("ana@example.org")}},
		{"@ab @ @.. @@ana", []segment{text("@ab @ @.. @"), mention("@ana")}},
		{"@" + strings.Repeat("a", 32), []segment{mention("@" + strings.Repeat("a", 32))}},
		{"@" + strings.Repeat("a", 33), []segment{text("@" + strings.Repeat("a", 33))}},
		{"`@ana` @bob", []segment{code("@ana"), text(" "), mention("@bob")}},
		{"https://x.org/@ana @ana", []segment{link("https://x.org/@ana"), text(" "), mention("@ana")}},
		{`@ana"><b>x`, []segment{mention("@ana"), text(`"><b>x`)}},
	} {
		got := segments(tc.body)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("segments(%q)\n got %v\nwant %v", tc.body, got, tc.want)
		}
		if plainBody(tc.body) && (len(got) > 1 || len(got) == 1 && got[0].kind != textSegment) {
			t.Errorf("plainBody(%q) is true, but it has %v", tc.body, got)
		}
	}
}

// TestMessageBodyStaysEscaped renders a message whose body holds markup,
// addresses that try to break out of their attribute, and code: the only
// elements in the body are the links (with their rel and target) and the
// code, and every character typed is shown as text.
func TestMessageBodyStaysEscaped(t *testing.T) {
	body := "<b>bold</b> <script>alert(1)</script> " +
		`https://x.org/a?b=1&c='d'e https://x.org/"><img src=x onerror=alert(2)> ` +
		"javascript:alert(3) `<i>code</i>` \n```\n<svg onload=alert(4)>\n```"
	out := render(t, chat.Message{ID: 7, Key: "k", Author: `<ana "x">`, Body: body, CreatedAt: time.Now()})
	inner := bodyRe.FindStringSubmatch(out)
	if inner == nil {
		t.Fatalf("no body in %s", out)
	}
	tags := tagRe.FindAllString(inner[1], -1)
	want := []string{
		`<a href="https://x.org/a?b=1&amp;c=&#39;d&#39;e" rel="noopener nofollow ugc" target="_blank">`, `</a>`,
		`<a href="https://x.org/" rel="noopener nofollow ugc" target="_blank">`, `</a>`,
		`<code>`, `</code>`, `<code class="block">`, `</code>`,
	}
	if !reflect.DeepEqual(tags, want) {
		t.Errorf("the body's tags are\n%q\nwant\n%q\nin %s", tags, want, inner[1])
	}
	shown := html.UnescapeString(tagRe.ReplaceAllString(inner[1], ""))
	wantShown := "<b>bold</b> <script>alert(1)</script> " +
		`https://x.org/a?b=1&c='d'e https://x.org/"><img src=x onerror=alert(2)> ` +
		"javascript:alert(3) <i>code</i> \n<svg onload=alert(4)>"
	if shown != wantShown {
		t.Errorf("the body shows\n%q\nwant\n%q", shown, wantShown)
	}
	for _, bad := range []string{"<b>", "<script", "<img", "<svg", "<i>", `<ana`, `"x"`} {
		if strings.Contains(out, bad) {
			t.Errorf("%q unescaped in %s", bad, out)
		}
	}
}

var (
	bodyRe = regexp.MustCompile(`(?s)<p class="body">(.*)</p>\s*<div class="msg-menu"></div></article>`)
	tagRe  = regexp.MustCompile(`<[^>]*>`)
	// allowedTag is every tag a body may hold: links to http(s) addresses
	// with their rel and target, and code.
	allowedTag = regexp.MustCompile(`^(<a href="(?i:https?)://[^"<>]+" rel="noopener nofollow ugc" target="_blank">|</a>|<code>|<code class="block">|</code>|<span class="mention" data-mention="[^"<>&]+">|</span>)$`)
)

func render(t testing.TB, m chat.Message) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Message(m).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// FuzzMessageBody: whatever the body, its rendering holds only the allowed
// tags, a link shows its own address, and nothing typed is lost but the
// backticks that mark code.
func FuzzMessageBody(f *testing.F) {
	for _, s := range []string{
		"hi", "<script>alert(1)</script>", "https://x.org/a_(b)).", `https://x.org/"a'b<c>`,
		"javascript:alert(1)", "`a` ``b`` ```c```", "`` ` ``", "```\nx\n```\ny", "http://[::1]/`x`",
		"\xff`\xfe`https://\xff", "https://x.org/&amp;&lt;", "@ana @Ñandú. x@y.z `@bob`",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		out := render(t, chat.Message{ID: 1, Key: "k", Author: "ana", Body: body})
		inner := bodyRe.FindStringSubmatch(out)
		if inner == nil {
			t.Fatalf("no body in %s", out)
		}
		for _, tag := range tagRe.FindAllString(inner[1], -1) {
			if !allowedTag.MatchString(tag) {
				t.Fatalf("body %q: tag %q in %s", body, tag, inner[1])
			}
		}
		if strings.Count(inner[1], "<") != 2*strings.Count(inner[1], "</") {
			t.Fatalf("body %q: a < that is no tag in %s", body, inner[1])
		}
		for _, s := range segments(body) {
			if s.kind == linkSegment && (!utf8.ValidString(s.text) || strings.ContainsAny(s.text, " \n<>\"`")) {
				t.Fatalf("body %q: link %q", body, s.text)
			}
		}
		if !utf8.ValidString(body) {
			return // templ writes invalid UTF-8 as it comes; the check below compares text
		}
		shown := strings.ReplaceAll(html.UnescapeString(tagRe.ReplaceAllString(inner[1], "")), "`", "")
		typed := strings.ReplaceAll(body, "`", "")
		if stripped(shown) != stripped(typed) {
			t.Fatalf("body %q shows %q", body, shown)
		}
	})
}

// stripped is s without line breaks and spaces, which fences may drop.
func stripped(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' {
			return -1
		}
		return r
	}, s)
}

// TestMentions: the names a body mentions, in lower case, each once, and
// none inside code; a mention renders as a span that carries the name's key.
func TestMentions(t *testing.T) {
	for _, tc := range []struct {
		body string
		want []string
	}{
		{"hello", nil},
		{"mail ana@example.org", nil},
		{"@Ana and @ana and @BOB.", []string{"ana", "bob"}},
		{"`@ana` ```\n@bob\n``` @carl", []string{"carl"}},
		{"@López", []string{"lópez"}},
		{"@ＡＮＡ and @lo\u0301pez", []string{"ana", "lópez"}},
	} {
		if got := Mentions(tc.body); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Mentions(%q) = %q, want %q", tc.body, got, tc.want)
		}
	}
	out := render(t, chat.Message{ID: 1, Key: "k", Author: "bob", Body: "hi @Ana!"})
	if want := `<p class="body">hi <span class="mention" data-mention="ana">@Ana</span>!</p>`; !strings.Contains(out, want) {
		t.Errorf("rendered %s\nwant it to hold %s", out, want)
	}
}
