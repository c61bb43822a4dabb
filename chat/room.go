package chat

// Room kinds.
const (
	Public  = "public"  // anyone signed in may join
	Private = "private" // members add members
	Direct  = "direct"  // two people
)

// Room is a conversation.
type Room struct {
	ID   int64
	Name string // for a direct room, dm:<id>:<id>; show Peer instead
	Kind string
	// Topic is a line its members set, shown under its name ("" for none).
	Topic string
}

// RoomSummary is a room as a member's sidebar shows it.
type RoomSummary struct {
	Room
	Unread int // others' messages after the member's last read one, capped at MaxUnread
	// Mentions counts those of them that mention the member (see
	// handlers' mentions.go), capped at MaxUnread.
	Mentions int
	Newest   int64  // the room's newest message id when Unread was counted
	Peer     string // the other person, in a direct room
}

// MaxUnread caps unread counts: "99+" says enough, and counting stops early.
const MaxUnread = 100
