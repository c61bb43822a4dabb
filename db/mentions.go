package db

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/charla/charla/chat"
)

// MentionScan bounds how many of a room's newest messages are searched for
// mentions of a reader who has not read them: a sidebar is read on every
// page and socket, and someone back after months must not make each of
// those scan a room's whole history. A mention older than that, still
// unread, is not counted (its message is, in the unread count, up to
// chat.MaxUnread).
const MentionScan = 1000

// UnreadMentioning returns the messages that may mention the person
// userID, whose name's key (lower case) is key: in the rooms they are in
// (so never one they may not read), after their read mark there, among
// the room's newest MentionScan, from someone else, with @ and the start
// of key in the body (see mentionNeedle). Only ids, room ids and bodies
// are filled in. The caller decides which of them do mention the person (a name in
// code, or a longer name that begins with theirs, does not): that is the
// renderer's rule, which the database cannot run.
//
// The window's start is found once per room, by one step through the
// index over its unread messages (LIMIT 1 OFFSET MentionScan: a room read
// to the end costs one probe); only the unread messages in it are read. MATERIALIZED keeps SQLite from running that step again for every
// message (it did: 37 ms instead of 3 ms for ten full windows, see
// BenchmarkUnreadMentioning).
func (s *Store) UnreadMentioning(ctx context.Context, userID int64, key string) ([]chat.Message, error) {
	rows, err := s.query(ctx,
		`WITH w AS MATERIALIZED (
		   SELECT ms.room_id, ms.user_id,
		          MAX(ms.last_read_id, COALESCE((SELECT x.id FROM messages x WHERE x.room_id = ms.room_id AND x.id > ms.last_read_id
		                                         ORDER BY x.id DESC LIMIT 1 OFFSET ?), 0)) AS after
		   FROM memberships ms WHERE ms.user_id = ?)
		 SELECT m.id, m.room_id, m.body
		 FROM w JOIN messages m ON m.room_id = w.room_id AND m.id > w.after
		 WHERE m.user_id IS NOT w.user_id AND instr(lower(m.body), ?) > 0`,
		MentionScan, userID, mentionNeedle(key))
	if err != nil {
		return nil, fmt.Errorf("mentions of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []chat.Message
	for rows.Next() {
		var m chat.Message
		if err := rows.Scan(&m.ID, &m.RoomID, &m.Body); err != nil {
			return nil, fmt.Errorf("mentions of %d: %w", userID, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mentions of %d: %w", userID, err)
	}
	return out, nil
}

// MemberNames returns up to limit usernames of roomID's active members
// that begin with prefix (in lower case; ASCII letters match in any case),
// by name: the composer's @name suggestions.
func (s *Store) MemberNames(ctx context.Context, roomID int64, prefix string, limit int) ([]string, error) {
	rows, err := s.query(ctx,
		`SELECT u.username FROM memberships ms JOIN users u ON u.id = ms.user_id
		 WHERE ms.room_id = ? AND u.deactivated_at IS NULL AND substr(lower(u.username), 1, ?) = ?
		 ORDER BY lower(u.username) LIMIT ?`,
		roomID, utf8.RuneCountInString(prefix), prefix, limit)
	if err != nil {
		return nil, fmt.Errorf("names in room %d: %w", roomID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("names in room %d: %w", roomID, err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("names in room %d: %w", roomID, err)
	}
	return out, nil
}

// mentionNeedle is what a body that mentions the person with this key
// holds, as SQL's lower() sees it: @ and the key up to its first letter
// beyond ASCII, which lower() leaves as it is ("lópez" → "@l", "東京" →
// "@"). A body written in full-width letters ("@ａｎａ") is missed.
func mentionNeedle(key string) string {
	for i, r := range key {
		if r >= utf8.RuneSelf {
			return "@" + key[:i]
		}
	}
	return "@" + key
}
