package handlers

// Limits the external tests need to know (package handlers_test).
const (
	RoomChangeBurst = roomChangeBurst
)
