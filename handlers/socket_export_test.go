package handlers

import (
	"time"

	"golang.org/x/time/rate"
)

// Limits the external tests need to know (package handlers_test).
const (
	RoomChangeBurst = roomChangeBurst
)

// MaxReplay is how many missed messages a socket replays at most.
const MaxReplay = maxReplay

// MaxSocketsPerPerson is how many sockets one person may hold by default.
const MaxSocketsPerPerson = maxSocketsPerPerson

// RefillRoomChangesHourly makes h's room-change limit refill once an hour,
// so that a test's burst cannot earn a new change on a slow machine.
func RefillRoomChangesHourly(h *Handler) {
	h.limits.roomChanges = memoryLimiter(limitRoomChanges, rate.Every(time.Hour), roomChangeBurst, h.Observe.Refused)
}
