package handlers

// Observer is told what the handlers count, for metrics (server/metrics.go
// turns it into Prometheus metrics, so that this package does not depend
// on a metrics library). Its funcs are called on request and socket
// goroutines, never per delivered frame; each nil func is skipped.
type Observer struct {
	// Refused: a rate limit said no, named by its limit (see limits.go:
	// signin_account, signin_address, signup, send, room_changes).
	Refused func(limit string)
	// Replayed: a reconnecting socket was sent the messages it missed;
	// -1 when it had missed more than maxReplay and was told to reload.
	Replayed func(messages int)
}

func (o Observer) replayed(messages int) {
	if o.Replayed != nil {
		o.Replayed(messages)
	}
}

// LimitNames are the limits Observer.Refused names.
var LimitNames = []string{limitSignInAccount, limitSignInIP, limitSignUp, limitSend, limitRoomChanges}
