package chat

// User is an account.
type User struct {
	ID       int64
	Username string
	Admin    bool
}
