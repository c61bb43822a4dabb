package handlers

import (
	"context"
	"errors"
)

// statusClientGone is the status logged for a request whose client left
// before it was answered (nginx's 499 "client closed request"). Nobody
// reads the answer; the log line says what happened.
const statusClientGone = 499

// clientGone reports whether err comes from the client's leaving: net/http
// cancels a request's context when its connection closes, and whatever
// the request was waiting on then fails. That is no operator's problem, so
// it is logged at Info, not Error. (A deadline, by contrast, is the
// server's own and stays an error.)
func clientGone(ctx context.Context, err error) bool {
	return err != nil && errors.Is(ctx.Err(), context.Canceled)
}
