package handlers

// Limits the external tests need to know (package handlers_test).
const (
	RoomChangeBurst = roomChangeBurst
)

// MaxReplay is how many missed messages a socket replays at most.
const MaxReplay = maxReplay

// MaxSocketsPerPerson is how many sockets one person may hold by default.
const MaxSocketsPerPerson = maxSocketsPerPerson
