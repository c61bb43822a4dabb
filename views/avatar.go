package views

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Each person is shown by their initials on a colour of their own, both
// worked out from the name alone: the same for every reader and every
// message, so a fragment stays the same bytes for everyone. The colour is
// the avatar's data-colour, a number the CSS turns into one of its
// palette's colours (the CSP allows no style attribute): custom properties
// --av-0 … --av-11, a light and a dark set, each meeting WCAG AA under its
// initials. An attribute rather than a class: templ renders a class
// expression through its CSS-class machinery, four allocations a message.

// avatarColours is how many colours the palette has.
const avatarColours = 12

// avatarColourNames are the palette's colours as data-colour says them,
// made once.
var avatarColourNames = func() (c [avatarColours]string) {
	for i := range c {
		c[i] = strconv.Itoa(i)
	}
	return c
}()

// avatarColour is the colour of name's avatar: picked by the name's FNV-1a
// hash, which spreads names that differ in one letter apart.
func avatarColour(name string) string {
	h := uint32(2166136261)
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= 16777619
	}
	return avatarColourNames[h%avatarColours]
}

// maxInitials is how many letters an avatar shows.
const maxInitials = 2

// initials are the first letters of the first two words of name, upper
// case; words are split by . - _ and spaces ("ana.lopez" is AL, "bruno" B).
// Only letters and digits count; a name with neither shows "?".
func initials(name string) string {
	var buf [maxInitials * utf8.UTFMax]byte
	out, n := buf[:0], 0
	word := true // at a word's start
	for _, r := range name {
		switch {
		case r == '.' || r == '-' || r == '_' || unicode.IsSpace(r):
			word = true
		case word && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			out = utf8.AppendRune(out, unicode.ToUpper(r))
			word = false
			if n++; n == maxInitials {
				return string(out)
			}
		}
	}
	if n == 0 {
		return "?"
	}
	return string(out)
}
