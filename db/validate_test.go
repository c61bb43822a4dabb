package db_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charla/charla/db"
)

// FuzzValidate checks what Validate promises, whatever a client sends: a
// message it accepts has a trimmed, non-empty body of at most
// MaxMessageLen characters, a key of the composer's alphabet and a
// printable name; anything else is refused with a named error.
// `go test -fuzz FuzzValidate ./db/` explores further; `go test` runs the seeds.
func FuzzValidate(f *testing.F) {
	for _, seed := range []struct{ key, author, body string }{
		{"valid-key-0001", "ana", "hello"},
		{"valid-key-0001", "ana", "  \n\t "},
		{"valid-key-0001", "ana", strings.Repeat("ñ", db.MaxMessageLen+1)},
		{"short", "ana", "hi"},
		{"valid-key-0001", "a\x00b", "hi"},
		{"valid-key-0001", "<img src=x onerror=alert(1)>", "<script>alert(1)</script>"},
		{"valid-key-0001", "ana", "\xff\xfe invalid utf-8"},
	} {
		f.Add(seed.key, seed.author, seed.body)
	}
	f.Fuzz(func(t *testing.T, key, author, body string) {
		m := db.NewMessage{RoomID: 1, Key: key, Author: author, Body: body}
		err := m.Validate()
		var tooLong *db.TooLongError
		switch {
		case err == nil:
			if m.Body == "" || m.Body != strings.TrimSpace(m.Body) || utf8.RuneCountInString(m.Body) > db.MaxMessageLen {
				t.Fatalf("accepted body %q", m.Body)
			}
			if !db.ValidKey(m.Key) || !db.ValidName(m.Author) {
				t.Fatalf("accepted key %q or name %q", m.Key, m.Author)
			}
			for _, r := range m.Author {
				if r < 0x20 || r == 0x7f {
					t.Fatalf("accepted a control character in name %q", m.Author)
				}
			}
		case errors.Is(err, db.ErrEmpty), errors.Is(err, db.ErrBadKey), errors.Is(err, db.ErrBadName):
		case errors.As(err, &tooLong):
			if tooLong.Len <= db.MaxMessageLen {
				t.Fatalf("%d characters refused as too long", tooLong.Len)
			}
		default:
			t.Fatalf("unnamed error %v", err)
		}
	})
}
