package views

import (
	"strconv"
	"testing"
)

func TestInitials(t *testing.T) {
	for name, want := range map[string]string{
		"ana":            "A",
		"ana.lopez":      "AL",
		"curious-otter":  "CO",
		"maría_josé_paz": "MJ",
		"lópez":          "L",
		"ñandú.ávila":    "ÑÁ",
		"_x":             "X",
		"r2-d2":          "RD",
		"42":             "4",
		"Old Name (v1)":  "ON",
		"...":            "?",
		"":               "?",
	} {
		if got := initials(name); got != want {
			t.Errorf("initials(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestAvatarColour: a name's colour is always the same, one of the palette's,
// and names spread over the whole palette.
func TestAvatarColour(t *testing.T) {
	if avatarColour("ana") != avatarColour("ana") {
		t.Fatal("ana's colour changes")
	}
	used := map[string]int{}
	for i := range 240 {
		c := avatarColour("user" + strconv.Itoa(i))
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 || n >= avatarColours {
			t.Fatalf("class %q is not one of the palette's %d", c, avatarColours)
		}
		used[c]++
	}
	if len(used) != avatarColours {
		t.Errorf("240 names use %d of the %d colours: %v", len(used), avatarColours, used)
	}
	for c, n := range used {
		if n < 5 {
			t.Errorf("only %d of 240 names are %s: %v", n, c, used)
		}
	}
}
