package views

import "github.com/charla/charla/chat"

// Where the reader stopped. A room's page is rendered for one person, who
// has a read mark in the room: the first message after it from someone
// else carries data-unread-label, which the CSS draws as a line above it
// ("New messages") and where charla.js starts the view. Like a day's
// label, it is an attribute on the message rather than an element of its
// own in #messages (see days.go). Fragments, rendered once for everyone,
// carry none: the page counts what arrives while the reader is scrolled up.
// The line's words are the catalog's "unread.line"; the jump button's,
// "unread.jump", with {n} where charla.js puts the count.

// FirstUnread returns the id of the first message in msgs (oldest first)
// after the read mark lastRead that is not the reader's own, or 0 when
// there is none: the reader has seen everything shown.
func FirstUnread(msgs []chat.Message, lastRead, reader int64) int64 {
	for _, m := range msgs {
		if m.ID > lastRead && m.UserID != reader {
			return m.ID
		}
	}
	return 0
}
