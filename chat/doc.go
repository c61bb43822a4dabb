// Package chat holds what charla is about, as plain values: a message, a
// room as a member sees it, a person. The store (db) returns them and the
// views render them, so neither depends on the other: a view does not pull
// in the SQL drivers, and the hot path hands the store's structs to the
// renderer as they are, without copying them into view types.
//
// It holds no SQL, no HTML and no I/O, only the types and the facts about
// them that both sides need (the room kinds, the unread cap).
package chat
