package views

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/chat"
)

func TestGroupsOnTheServersPage(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	at := func(who string, h, m, s int) chat.Message {
		return chat.Message{Author: who, CreatedAt: time.Date(2026, 11, 30, h, m, s, 0, madrid)}
	}
	msgs := []chat.Message{
		at("ana", 9, 0, 0),
		at("ana", 9, 0, 30),  // grouped
		at("ana", 9, 5, 30),  // grouped: exactly GroupWithin after the last
		at("ana", 9, 10, 31), // a new group: a second more
		at("bruno", 9, 10, 40),
		at("ana", 9, 10, 50), // someone else spoke in between
		at("ana", 23, 58, 0),
		at("ana", 23, 59, 0), // grouped
		{Author: "ana", CreatedAt: time.Date(2026, 12, 1, 0, 1, 0, 0, madrid)}, // a new day begins a new group
		{Author: "ana", CreatedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, madrid)}, // earlier than the one before (a clock set back)
	}
	want := []bool{false, true, true, false, false, false, false, true, false, false}
	for i, m := range withDays(context.Background(), msgs, msgs[0].CreatedAt) {
		if m.Grouped != want[i] {
			t.Errorf("message %d (%s at %s): grouped %v, want %v", i, m.Author, m.CreatedAt.Format(time.TimeOnly), m.Grouped, want[i])
		}
	}
}

// TestRoomPageComesGrouped: without script, the room page shows groups as
// the server sees them, and tells the script the window it groups by.
func TestRoomPageComesGrouped(t *testing.T) {
	y, m, d := time.Now().Date()
	now := time.Date(y, m, d, 12, 0, 0, 0, time.Local) // today, whatever the hour
	p := RoomPage{Room: chat.Room{ID: 1, Name: "general"}, Messages: []chat.Message{
		{ID: 1, Key: "a", Author: "ana", Body: "one", CreatedAt: now.Add(-time.Minute)},
		{ID: 2, Key: "b", Author: "ana", Body: "two", CreatedAt: now.Add(-time.Minute)},
		{ID: 3, Key: "c", Author: "bruno", Body: "three", CreatedAt: now},
	}}
	var buf bytes.Buffer
	if err := Log(p).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	out := regexp.MustCompile(` data-pos="\d+"`).ReplaceAllString(buf.String(), "")
	for _, want := range []string{
		`data-group-within="300"`,
		`id="msg-1" class="msg" data-id="1" data-key="a" data-author="ana" data-day-label="Today">`,
		`id="msg-2" class="msg" data-id="2" data-key="b" data-author="ana" data-grouped>`,
		`id="msg-3" class="msg" data-id="3" data-key="c" data-author="bruno">`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in %s", want, out)
		}
	}
}
