package handlers_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/charla/charla/db/dbtest"
)

// dayLabelRe finds each message's element and the day label it carries, if any.
var dayLabelRe = regexp.MustCompile(`<article id="msg-(\d+)"[^>]*?(?: data-day-label="([^"]*)")?>`)

// dayLabels returns the day label of each message a page shows, by id ("" for none).
func dayLabels(page string) map[int64]string {
	out := map[int64]string{}
	for _, m := range dayLabelRe.FindAllStringSubmatch(page, -1) {
		var id int64
		fmt.Sscan(m[1], &id)
		out[id] = m[2]
	}
	return out
}

// TestFullPagesSeparateDaysInTheServersZone: without script, the room's
// page and an archive page put a day's label ("Today", "Yesterday", a date,
// in the server's zone) on the first message of each day, and on no other.
// The fragments that go to every reader (the socket's, an older page
// loaded in place) carry none: "today" is the reader's, which charla.js
// knows and the server does not.
func TestFullPagesSeparateDaysInTheServersZone(t *testing.T) {
	store := dbtest.File(t)
	srv := newServer(t, store)
	seeded := seed(t, store, 5)
	p := srv.visit(t)

	now := time.Now()
	y, m, d := now.Date()
	days := []time.Time{
		time.Date(y, m, d-3, 10, 0, 0, 0, time.Local),
		time.Date(y, m, d-3, 10, 1, 0, 0, time.Local),
		time.Date(y, m, d-1, 12, 0, 0, 0, time.Local),
		time.Date(y, m, d-1, 12, 1, 0, 0, time.Local),
		now,
	}
	for i, at := range days {
		if _, err := store.DB().ExecContext(context.Background(), `UPDATE messages SET created_at = ? WHERE id = ?`, at.UnixMilli(), seeded[i].ID); err != nil {
			t.Fatalf("date message %d: %v", i, err)
		}
	}
	date := days[0].Format("Monday, January 2")
	if days[0].Year() != now.Year() {
		date = days[0].Format("Monday, January 2, 2006")
	}
	want := map[int64]string{seeded[0].ID: date, seeded[1].ID: "", seeded[2].ID: "Yesterday", seeded[3].ID: "", seeded[4].ID: "Today"}

	check := func(what, page string, want map[int64]string) {
		t.Helper()
		got := dayLabels(page)
		if len(got) != len(want) {
			t.Errorf("%s shows %d messages (%v), want %d", what, len(got), got, len(want))
		}
		for id, label := range want {
			if got[id] != label {
				t.Errorf("%s: message %d's day label is %q, want %q (all: %v)", what, id, got[id], label, got)
			}
		}
	}
	room := p.get("/rooms/1")
	check("the room's page", room, want)
	for _, attr := range []string{`data-today="Today"`, `data-yesterday="Yesterday"`} {
		if !regexp.MustCompile(`<div id="messages"[^>]* ` + attr).MatchString(room) {
			t.Errorf("the room's page has no %s on #messages, for charla.js to label days with", attr)
		}
	}

	archive := p.get(fmt.Sprintf("/rooms/1?before=%d", seeded[3].ID))
	check("the archive page", archive, map[int64]string{seeded[0].ID: date, seeded[1].ID: "", seeded[2].ID: "Yesterday"})

	// An older page loaded in place and the socket's frames are the same
	// bytes for every reader: no labels.
	older := p.get(fmt.Sprintf("/rooms/1/messages?before=%d", seeded[4].ID))
	check("an older page loaded in place", older, map[int64]string{seeded[0].ID: "", seeded[1].ID: "", seeded[2].ID: "", seeded[3].ID: ""})
	s := p.dial(seeded[0].ID - 1) // the replay: five messages over three days
	s.send("a live one")
	var frames []string
	for n := 0; n < len(seeded)+1; {
		frame := s.read(5 * time.Second)
		n += len(parseMessages(frame))
		frames = append(frames, frame)
	}
	for _, frame := range frames {
		for id, label := range dayLabels(frame) {
			if label != "" {
				t.Errorf("the socket sent message %d with the day label %q, which is the server's, not the reader's:\n%s", id, label, frame)
			}
		}
	}
}
