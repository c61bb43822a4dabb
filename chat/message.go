package chat

import "time"

// Message is one stored chat message.
type Message struct {
	ID        int64
	RoomID    int64
	UserID    int64  // 0 for messages from before accounts
	Key       string // the client's one-time key
	Author    string
	Body      string
	CreatedAt time.Time
}
