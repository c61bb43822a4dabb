package db

import (
	"context"
	"fmt"
	"strings"
)

// RoomHead is where a room is: its newest position and its newest
// message's id (0 and 0 for a room without messages).
type RoomHead struct {
	Pos, Newest int64
}

// maxHeads bounds the rooms one RoomHeads statement asks for (SQLite
// allows 32,766 parameters; a request stays small).
const maxHeads = 500

// RoomHeads returns where each of rooms is, read in one statement per
// maxHeads rooms, so that a room's position and newest id agree. Each is
// one index lookup (messages_room_pos, messages_room_id). Rooms that do
// not exist are left out.
func (s *Store) RoomHeads(ctx context.Context, rooms []int64) (map[int64]RoomHead, error) {
	heads := make(map[int64]RoomHead, len(rooms))
	for len(rooms) > 0 {
		n := min(len(rooms), maxHeads)
		if err := s.roomHeads(ctx, rooms[:n], heads); err != nil {
			return nil, err
		}
		rooms = rooms[n:]
	}
	return heads, nil
}

func (s *Store) roomHeads(ctx context.Context, rooms []int64, into map[int64]RoomHead) error {
	args := make([]any, len(rooms))
	for i, r := range rooms {
		args[i] = r
	}
	// Not prepared: the statement differs with the number of rooms.
	rows, err := s.db.QueryContext(ctx,
		`SELECT r.id,
		        COALESCE((SELECT MAX(pos) FROM messages WHERE room_id = r.id), 0),
		        COALESCE((SELECT MAX(id) FROM messages WHERE room_id = r.id), 0)
		 FROM rooms r WHERE r.id IN (?`+strings.Repeat(",?", len(rooms)-1)+`)`, args...)
	if err != nil {
		return fmt.Errorf("room heads: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var room int64
		var h RoomHead
		if err := rows.Scan(&room, &h.Pos, &h.Newest); err != nil {
			return fmt.Errorf("room heads: %w", err)
		}
		into[room] = h
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("room heads: %w", err)
	}
	return nil
}
