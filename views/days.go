package views

import (
	"context"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/i18n"
)

// Day separators. The first message of each day carries its day's label in
// data-day-label, which the CSS draws above it. A message fragment is
// rendered once for every reader, so fragments carry no label: what "today"
// is depends on the reader's zone and clock. Full pages (the room, an
// archive page) are rendered for one person, and carry labels in the
// server's zone, the fallback without script; charla.js relabels every
// message in the reader's own zone as messages arrive or load.
//
// The words are on the page (#messages' data-today and data-yesterday, in
// the reader's language) for the script to use, so that they are
// translated in the catalog only (package i18n).

// dayLabel is what the separator above t's day says, seen at now, in ctx's
// language: Today, Yesterday or the date, in t's zone.
func dayLabel(ctx context.Context, t, now time.Time) string {
	now = now.In(t.Location())
	switch {
	case sameDay(t, now):
		return i18n.T(ctx, "day.today")
	case sameDay(t, now.AddDate(0, 0, -1)):
		return i18n.T(ctx, "day.yesterday")
	default:
		return i18n.Day(ctx, t, t.Year() != now.Year())
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
// seen at now, in the server's zone and ctx's language, and marks the
// messages that continue a group (see groups.go).
func withDays(ctx context.Context, msgs []chat.Message, now time.Time) []dayMessage {
	out := make([]dayMessage, len(msgs))
	for i, m := range msgs {
		out[i].Message = m
		if i == 0 || !sameDay(m.CreatedAt, msgs[i-1].CreatedAt.In(m.CreatedAt.Location())) {
			out[i].Day = dayLabel(ctx, m.CreatedAt, now)
		} else {
			out[i].Grouped = continuesGroup(msgs[i-1], m)
		}
	}
	return out
}
