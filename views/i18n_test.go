package views

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/a-h/templ/parser/v2"
	"github.com/a-h/templ/parser/v2/visitor"
	"github.com/charla/charla/chat"
	"github.com/charla/charla/i18n"
)

// untranslatedOK are the words a template may write as they are: the
// product's name.
var untranslatedOK = map[string]bool{"charla": true}

// labelAttrs are the attributes whose values a person reads (or hears).
var labelAttrs = map[string]bool{"aria-label": true, "placeholder": true, "title": true, "alt": true, "label": true}

// hasWords reports whether s holds a word someone would read, other than
// the untranslated ones.
func hasWords(s string) bool {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if !untranslatedOK[strings.ToLower(w)] {
			return true
		}
	}
	return false
}

// goLiteral is a double-quoted Go string literal.
var goLiteral = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// goWords returns the string literals in a Go expression that read as
// words to a person: with a word in them and a space, or a capital first
// ("Sign in", "Reactivate"); ids ("room.join"), paths and layouts are not.
func goWords(expr string) []string {
	var out []string
	for _, lit := range goLiteral.FindAllString(expr, -1) {
		s, err := strconv.Unquote(lit)
		if err != nil || !hasWords(s) || timeLayout(s) {
			continue
		}
		if first, _ := utf8.DecodeRuneInString(s); strings.Contains(s, " ") || unicode.IsUpper(first) {
			out = append(out, lit)
		}
	}
	return out
}

// timeLayout reports whether s is a Go time layout ("2006-01-02 15:04 MST").
func timeLayout(s string) bool {
	return strings.Contains(s, "2006") || strings.Contains(s, "15:04")
}

// TestNoUntranslatedTextInTemplates: every word a template shows comes
// from the catalog ({ T(ctx, "id") }), not a literal in the markup: no
// text node and no label attribute (aria-label, placeholder…) with a word
// in it, and no Go expression in the markup passing a phrase to a
// component ("Sign in · charla").
func TestNoUntranslatedTextInTemplates(t *testing.T) {
	files, err := filepath.Glob("*.templ")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templ files: %v", err)
	}
	for _, f := range files {
		tf, err := parser.Parse(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		v := visitor.New()
		v.Text = func(n *parser.Text) error {
			if hasWords(n.Value) {
				t.Errorf("%s:%d: untranslated text %q: put it in i18n/catalog.go and write { T(ctx, \"id\") }", f, n.Range.From.Line+1, n.Value)
			}
			return nil
		}
		element := v.Element
		v.Element = func(n *parser.Element) error {
			if n.Name == "code" {
				return nil // a name to type as it is (CHARLA_SIGNUP=invite)
			}
			return element(n)
		}
		v.ConstantAttribute = func(n *parser.ConstantAttribute) error {
			if labelAttrs[n.Key.String()] && hasWords(n.Value) {
				t.Errorf("%s:%d: untranslated %s=%q: use %s={ T(ctx, \"id\") }", f, n.Range.From.Line+1, n.Key, n.Value, n.Key)
			}
			return nil
		}
		// Words passed to a component or written by a Go expression.
		expr := func(e parser.Expression) {
			for _, lit := range goWords(e.Value) {
				t.Errorf("%s:%d: untranslated %s in a Go expression: use T(ctx, \"id\")", f, e.Range.From.Line+1, lit)
			}
		}
		stringExpr, callExpr, elemExpr, attrExpr := v.StringExpression, v.CallTemplateExpression, v.TemplElementExpression, v.ExpressionAttribute
		v.StringExpression = func(n *parser.StringExpression) error { expr(n.Expression); return stringExpr(n) }
		v.CallTemplateExpression = func(n *parser.CallTemplateExpression) error { expr(n.Expression); return callExpr(n) }
		v.TemplElementExpression = func(n *parser.TemplElementExpression) error { expr(n.Expression); return elemExpr(n) }
		v.ExpressionAttribute = func(n *parser.ExpressionAttribute) error { expr(n.Expression); return attrExpr(n) }
		if err := tf.Visit(v); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSharedFramesCarryNoLanguage: the frames sent to every reader of a
// room are rendered once, for readers of any language, so they must come
// out the same whatever language their context has. A frame that needs
// words takes them from the page (a data attribute in the reader's
// language) instead.
func TestSharedFramesCarryNoLanguage(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	msgs := []chat.Message{
		{ID: 1, Key: "key-0001", Author: "lópez", Body: "hola https://example.com `x`", CreatedAt: at},
		{ID: 2, Key: "key-0002", Author: "ana", Body: "```\ncode\n```", CreatedAt: at.Add(time.Minute)},
		{ID: 3, Key: "key-0003", Author: "ana", Body: "cambiado", CreatedAt: at, EditedAt: at.Add(time.Hour), UserID: 4,
			Reactions: []chat.Reaction{{Emoji: "👍", People: []chat.Reactor{{ID: 4, Name: "ana"}}}}},
		{ID: 4, Key: "key-0004", Author: "ana", Deleted: true, CreatedAt: at},
	}
	ana := chat.User{ID: 4, Username: "ana"}
	for name, frame := range map[string]templ.Component{
		"MessagesFrame": MessagesFrame(msgs),
		"Message":       Message(msgs[0]),
		"ReloadPage":    ReloadPage(),
		"DeletePending": DeletePending("key-0001"),
		"ChangedFrame":  ChangedFrame(msgs),
		"ReplayFrame":   ReplayFrame(msgs, 1),
		"Typing":        Typing(ana),
		"Online":        Online(ana),
		"Offline":       Offline(ana),
		"DirectOnline":  DirectOnline(7, "ana", true),
		"DirectOffline": DirectOnline(7, "ana", false),
		"TopicUpdate":   TopicUpdate(chat.Room{ID: 7, Name: "diseño", Topic: "el tema"}),
	} {
		var en, es bytes.Buffer
		if err := frame.Render(i18n.WithLang(context.Background(), i18n.English), &en); err != nil {
			t.Fatal(err)
		}
		if err := frame.Render(i18n.WithLang(context.Background(), i18n.Spanish), &es); err != nil {
			t.Fatal(err)
		}
		if en.String() != es.String() {
			t.Errorf("%s differs by language; it is rendered once for everyone:\nen: %s\nes: %s", name, en.String(), es.String())
		}
	}
}
