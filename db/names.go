package db

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/secure/precis"
)

// Names in any language. Usernames and room names may be letters of any
// script ("lópez", "diseño", "東京"), digits and a few marks, so that no
// one has to misspell their own name; but two names that look the same
// must be the same name, or anyone could pass for someone else.
//
// Names are normalised with PRECIS (RFC 8265, golang.org/x/text/secure/
// precis), the IETF's rules for usernames: full-width letters become
// their ordinary forms ("ｌｏｐｅｚ" is "lopez"), a letter and its
// combining accent become the one precomposed letter (NFC: "lo\u0301pez" is
// "lópez"), and compatibility characters that merely look like letters
// ("ﬁ", "ℌ") are refused rather than guessed at. A username keeps its
// capitals as typed for display, and is found by its key, which also folds
// case (UsernameCaseMapped): "Lopez" and "lopez" are one account (the
// users.username_key UNIQUE index). A room name is stored as its key
// (lowercase, as rooms have always been), so rooms.name's UNIQUE is its
// index.
//
// Left out: letters of different scripts that look alike (Latin "a" and
// Cyrillic "а") are different letters to Unicode, and stay different names.

// Lengths in characters (code points), after normalisation.
const (
	minUsernameLen = 3
	minRoomNameLen = 2
	MaxRoomNameLen = 40
)

// normalName is name, trimmed and in PRECIS's form (form: a profile), if
// every character of it is a letter, a combining mark, a digit or one of
// marks, and it is min to max characters long.
func normalName(form *precis.Profile, name, marks string, min, max int) (string, bool) {
	out, err := form.String(strings.TrimSpace(name))
	if err != nil {
		return "", false
	}
	if n := utf8.RuneCountInString(out); n < min || n > max {
		return "", false
	}
	for _, r := range out {
		if !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r) && !strings.ContainsRune(marks, r) {
			return "", false
		}
	}
	return out, true
}

// NormalUsername returns a username as it is stored and shown (capitals
// kept), and its key (case folded), by which it is found and kept unique;
// ok is false when name cannot be a username.
func NormalUsername(name string) (display, key string, ok bool) {
	display, ok = normalName(precis.UsernameCasePreserved, name, "._-", minUsernameLen, MaxNameLen)
	if !ok {
		return "", "", false
	}
	key, ok = normalName(precis.UsernameCaseMapped, display, "._-", minUsernameLen, MaxNameLen)
	return display, key, ok
}

// UsernameKey is the key of the username name, "" if it cannot be one:
// two names with one key are the same account.
func UsernameKey(name string) string {
	_, key, _ := NormalUsername(name)
	return key
}

// NormalRoomName returns a room name as it is stored (lowercase, PRECIS's
// form), or false when name cannot name a room.
func NormalRoomName(name string) (string, bool) {
	return normalName(precis.UsernameCaseMapped, name, "_-", minRoomNameLen, MaxRoomNameLen)
}
