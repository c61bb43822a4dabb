package views

import (
	"time"

	"github.com/charla/charla/chat"
)

// Day separators. The first message of each day carries its day's label in
// data-day-label, which the CSS draws above it. A message fragment is
// rendered once for every reader, so fragments carry no label: what "today"
// is depends on the reader's zone and clock. Full pages (the room, an
// archive page) are rendered for one person, and carry labels in the
// server's zone, the fallback without script; charla.js relabels every
// message in the reader's own zone as messages arrive or load.
//
// The words are on the page (#messages' data-today and data-yesterday) for
// the script to use, so that translating them is done here only.
const (
	Today     = "Today"
	Yesterday = "Yesterday"
)

// Layouts of a date that is neither today nor yesterday: the year only when
// it is not this year's. The same as charla.js's Intl formats give in English.
const (
	dayLayout     = "Monday, January 2"
	dayYearLayout = "Monday, January 2, 2006"
)

// dayLabel is what the separator above t's day says, seen at now: Today,
// Yesterday or the date, in t's zone.
func dayLabel(t, now time.Time) string {
	now = now.In(t.Location())
	switch {
	case sameDay(t, now):
		return Today
	case sameDay(t, now.AddDate(0, 0, -1)):
		return Yesterday
	case t.Year() == now.Year():
		return t.Format(dayLayout)
	default:
		return t.Format(dayYearLayout)
	}
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// dayMessage is a message and, when it is the first of its day in a list,
// its day's label; or, when it continues its author's group, Grouped.
type dayMessage struct {
	chat.Message
	Day     string
	Grouped bool
}

// withDays labels the first message of each day in msgs (oldest first),
// seen at now, in the server's zone, and marks the messages that continue
// a group (see groups.go).
func withDays(msgs []chat.Message, now time.Time) []dayMessage {
	out := make([]dayMessage, len(msgs))
	for i, m := range msgs {
		out[i].Message = m
		if i == 0 || !sameDay(m.CreatedAt, msgs[i-1].CreatedAt.In(m.CreatedAt.Location())) {
			out[i].Day = dayLabel(m.CreatedAt, now)
		} else {
			out[i].Grouped = continuesGroup(msgs[i-1], m)
		}
	}
	return out
}
