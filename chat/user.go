package chat

import "time"

// User is an account.
type User struct {
	ID       int64
	Username string
	Admin    bool
	// Deactivated accounts cannot sign in and have no sessions; their
	// messages stay with their name.
	Deactivated bool
	// Lang is the language the person chose to read charla in ("en",
	// "es"), or "" to follow their browser's.
	Lang string
}

// Invite is an open sign-up invitation, as the admin's list shows it. Its
// token is not here: only its hash is stored.
type Invite struct {
	ID      string // the token's hash: names the invite, signs nobody up
	By      string // who made it
	Created time.Time
	Expires time.Time
}

// Presence is one person online in one of their rooms on one instance, as
// instances tell each other (see broker): enough to render them there.
type Presence struct {
	Room   int64  `json:"r"`
	Direct bool   `json:"d,omitempty"` // the room is a direct conversation
	User   int64  `json:"u"`
	Name   string `json:"n"`
}
