package chat

import (
	"slices"
	"time"
)

// Message is one stored chat message, as it is now.
type Message struct {
	ID     int64
	RoomID int64
	// Pos is the room event that last changed the message (posted,
	// edited, deleted, reacted to): its place in its room's sequence of
	// events (1, 2, 3…), which recovery follows. Higher is later.
	Pos       int64
	UserID    int64  // 0 for messages from before accounts
	Key       string // the client's one-time key
	Author    string
	Body      string // "" once deleted
	CreatedAt time.Time
	EditedAt  time.Time // zero: never edited
	Deleted   bool
	Reactions []Reaction // in the order of ReactionEmoji, only those with people
}

// ReactionEmoji is the fixed set of reactions, in the order they show.
// A small set keeps a message's row and frame small and needs no picker.
var ReactionEmoji = []string{"👍", "❤️", "😂", "🎉", "😮", "😢"}

// IsReaction reports whether emoji is one of ReactionEmoji.
func IsReaction(emoji string) bool { return slices.Contains(ReactionEmoji, emoji) }

// Reaction is one emoji on a message and who reacted with it, in the
// order they did.
type Reaction struct {
	Emoji  string
	People []Reactor
}

// Reactor is one person who reacted.
type Reactor struct {
	ID   int64
	Name string
}

// Edited reports whether the text was changed after it was posted.
func (m Message) Edited() bool { return !m.EditedAt.IsZero() }

// Change is what a room event did to its messages.
type Change uint8

const (
	Post   Change = iota + 1 // new messages
	Edit                     // a message's text changed
	Delete                   // a message's text was removed
	React                    // a message's reactions changed
)

// RoomEvent is one committed change of a room, as the writer hands it on
// to be delivered: what happened, and the messages it touched as they are
// now, in position order (several only for Post).
type RoomEvent struct {
	Change   Change
	Room     int64
	Messages []Message
}

// Pos is the event's position: its last message's.
func (e RoomEvent) Pos() int64 { return e.Messages[len(e.Messages)-1].Pos }
