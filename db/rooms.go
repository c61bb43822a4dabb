package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charla/charla/chat"
)

// ErrBadRoomName: not 2 to 40 letters, digits, dashes or underscores.
var ErrBadRoomName = errors.New("room names are 2 to 40 letters, digits, dashes or underscores")

// ValidRoomName reports whether name can name a room (see names.go).
func ValidRoomName(name string) bool {
	_, ok := NormalRoomName(name)
	return ok
}

// CreateRoom stores a public or private room with its creator as member.
// The name is stored normalised (NormalRoomName): lowercase, full-width
// letters made ordinary, accents precomposed, so that look-alike names
// are one name and the second is ErrTaken.
func (s *Store) CreateRoom(ctx context.Context, name, kind string, creator int64) (chat.Room, error) {
	name, ok := NormalRoomName(name)
	if !ok {
		return chat.Room{}, ErrBadRoomName
	}
	if kind != chat.Public && kind != chat.Private {
		return chat.Room{}, fmt.Errorf("create room: kind %q", kind)
	}
	r, err := s.insertRoom(ctx, name, kind, creator)
	if err != nil {
		return chat.Room{}, err
	}
	if err := s.Join(ctx, r.ID, creator); err != nil {
		// No transaction on the remote path: undo by hand rather than
		// leave a room nobody is in.
		s.db.ExecContext(ctx, `DELETE FROM rooms WHERE id = ?`, r.ID)
		return chat.Room{}, fmt.Errorf("create room: %w", err)
	}
	return r, nil
}

func (s *Store) insertRoom(ctx context.Context, name, kind string, creator int64) (chat.Room, error) {
	r := chat.Room{Name: name, Kind: kind}
	err := s.db.QueryRowContext(ctx,
		`INSERT INTO rooms (name, kind, created_by, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		name, kind, creator, time.Now().UnixMilli()).Scan(&r.ID)
	if isUniqueViolation(err) {
		return chat.Room{}, ErrTaken
	}
	if err != nil {
		return chat.Room{}, fmt.Errorf("create room: %w", err)
	}
	return r, nil
}

// RoomFor returns a room and whether userID is a member of it. A room that
// does not exist is ErrNotFound.
func (s *Store) RoomFor(ctx context.Context, roomID, userID int64) (chat.Room, bool, error) {
	var r chat.Room
	var member bool
	st, err := s.prepared(ctx,
		`SELECT r.id, r.name, r.kind, r.topic,
		        EXISTS (SELECT 1 FROM memberships m WHERE m.room_id = r.id AND m.user_id = ?)
		 FROM rooms r WHERE r.id = ?`)
	if err == nil {
		err = st.QueryRowContext(ctx, userID, roomID).Scan(&r.ID, &r.Name, &r.Kind, &r.Topic, &member)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return chat.Room{}, false, ErrNotFound
	}
	if err != nil {
		return chat.Room{}, false, fmt.Errorf("room %d: %w", roomID, err)
	}
	return r, member, nil
}

// Rooms returns the rooms userID is in, with unread counts and newest ids
// read in one snapshot: named rooms by name, then direct ones by peer.
func (s *Store) Rooms(ctx context.Context, userID int64) ([]chat.RoomSummary, error) {
	rows, err := s.query(ctx,
		`SELECT r.id, r.name, r.kind, r.topic,
		        (SELECT COUNT(*) FROM (SELECT 1 FROM messages m
		                               WHERE m.room_id = r.id AND m.id > ms.last_read_id
		                                 AND m.user_id IS NOT ms.user_id LIMIT ?)),
		        (SELECT COALESCE(MAX(m.id), 0) FROM messages m WHERE m.room_id = r.id),
		        COALESCE((SELECT u.username FROM memberships o JOIN users u ON u.id = o.user_id
		                  WHERE r.kind = 'direct' AND o.room_id = r.id AND o.user_id != ms.user_id), '')
		 FROM memberships ms JOIN rooms r ON r.id = ms.room_id
		 WHERE ms.user_id = ?`, chat.MaxUnread, userID)
	if err != nil {
		return nil, fmt.Errorf("rooms of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []chat.RoomSummary
	for rows.Next() {
		var rs chat.RoomSummary
		if err := rows.Scan(&rs.ID, &rs.Name, &rs.Kind, &rs.Topic, &rs.Unread, &rs.Newest, &rs.Peer); err != nil {
			return nil, fmt.Errorf("rooms of %d: %w", userID, err)
		}
		out = append(out, rs)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rooms of %d: %w", userID, err)
	}
	sortRooms(out)
	return out, nil
}

func sortRooms(rooms []chat.RoomSummary) {
	label := func(r chat.RoomSummary) string {
		if r.Kind == chat.Direct {
			return "~" + strings.ToLower(r.Peer) // after named rooms
		}
		return r.Name
	}
	slices.SortFunc(rooms, func(a, b chat.RoomSummary) int { return strings.Compare(label(a), label(b)) })
}

// PublicRooms returns the public rooms userID has not joined.
func (s *Store) PublicRooms(ctx context.Context, userID int64) ([]chat.Room, error) {
	rows, err := s.query(ctx,
		`SELECT id, name, kind, topic FROM rooms r
		 WHERE kind = 'public' AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.room_id = r.id AND m.user_id = ?)
		 ORDER BY name LIMIT 200`, userID)
	if err != nil {
		return nil, fmt.Errorf("public rooms: %w", err)
	}
	defer rows.Close()
	var out []chat.Room
	for rows.Next() {
		var r chat.Room
		if err := rows.Scan(&r.ID, &r.Name, &r.Kind, &r.Topic); err != nil {
			return nil, fmt.Errorf("public rooms: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Join makes userID a member of roomID (again), with everything already
// said counted as read. Whether they may is the caller's decision.
func (s *Store) Join(ctx context.Context, roomID, userID int64) error {
	_, err := s.join(ctx, roomID, userID)
	return err
}

// join is Join, and says whether userID was not a member before. RETURNING
// says so on both backends (RowsAffected is not reliable on a tursodb
// server): a conflict returns no row.
func (s *Store) join(ctx context.Context, roomID, userID int64) (bool, error) {
	rows, err := s.db.QueryContext(ctx,
		`INSERT INTO memberships (room_id, user_id, last_read_id, joined_at)
		 VALUES (?, ?, (SELECT COALESCE(MAX(id), 0) FROM messages WHERE room_id = ?), ?)
		 ON CONFLICT (room_id, user_id) DO NOTHING RETURNING user_id`, roomID, userID, roomID, time.Now().UnixMilli())
	if err != nil {
		return false, fmt.Errorf("join room %d: %w", roomID, err)
	}
	defer rows.Close()
	added := rows.Next()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("join room %d: %w", roomID, err)
	}
	return added, nil
}

// Leave ends userID's membership of roomID.
func (s *Store) Leave(ctx context.Context, roomID, userID int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM memberships WHERE room_id = ? AND user_id = ?`, roomID, userID); err != nil {
		return fmt.Errorf("leave room %d: %w", roomID, err)
	}
	return nil
}

// AddMember makes the user called username a member of roomID, and says
// whether they were not one already. A deactivated account is ErrNotFound,
// as one that does not exist: nobody can be added who cannot sign in.
func (s *Store) AddMember(ctx context.Context, roomID int64, username string) (chat.User, bool, error) {
	u, _, err := s.UserByName(ctx, username)
	if err == nil && u.Deactivated {
		err = ErrNotFound
	}
	if err != nil {
		return chat.User{}, false, err
	}
	added, err := s.join(ctx, roomID, u.ID)
	return u, added, err
}

// DirectRoom returns the direct conversation between a and b, starting it
// if need be, and whether it was started (either of them joined) now. Its
// name is fixed by the pair, so both sides find one room.
func (s *Store) DirectRoom(ctx context.Context, a, b int64) (chat.Room, bool, error) {
	lo, hi := min(a, b), max(a, b)
	name := fmt.Sprintf("dm:%d:%d", lo, hi)
	if _, err := s.db.ExecContext(ctx,
		`INSERT INTO rooms (name, kind, created_by, created_at) VALUES (?, 'direct', ?, ?)
		 ON CONFLICT (name) DO NOTHING`, name, a, time.Now().UnixMilli()); err != nil {
		return chat.Room{}, false, fmt.Errorf("direct room: %w", err)
	}
	r := chat.Room{Name: name, Kind: chat.Direct}
	if err := s.db.QueryRowContext(ctx, `SELECT id FROM rooms WHERE name = ?`, name).Scan(&r.ID); err != nil {
		return chat.Room{}, false, fmt.Errorf("direct room: %w", err)
	}
	started := false
	for _, id := range []int64{lo, hi} {
		added, err := s.join(ctx, r.ID, id)
		if err != nil {
			return chat.Room{}, false, err
		}
		started = started || added
	}
	return r, started, nil
}

// ReadMark returns the id of the last message userID has been shown in
// roomID (0 when none, or not a member): what is after it is unread.
func (s *Store) ReadMark(ctx context.Context, roomID, userID int64) (int64, error) {
	var last int64
	st, err := s.prepared(ctx, `SELECT last_read_id FROM memberships WHERE room_id = ? AND user_id = ?`)
	if err == nil {
		err = st.QueryRowContext(ctx, roomID, userID).Scan(&last)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read mark: %w", err)
	}
	return last, nil
}

// MarkRead moves userID's read mark in roomID forward to lastID.
func (s *Store) MarkRead(ctx context.Context, roomID, userID, lastID int64) error {
	_, err := s.exec(ctx,
		`UPDATE memberships SET last_read_id = ? WHERE room_id = ? AND user_id = ? AND last_read_id < ?`,
		lastID, roomID, userID, lastID)
	if err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	return nil
}

// markRead moves several read marks forward in one statement (one write
// transaction): a round of the writer's marks. A mark never moves backwards.
func (s *Store) markRead(ctx context.Context, marks []readMark) error {
	var q strings.Builder
	q.WriteString(`WITH v (room_id, user_id, last_id) AS (VALUES `)
	args := make([]any, 0, 3*len(marks))
	for i, m := range marks {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?)")
		args = append(args, m.room, m.user, m.last)
	}
	q.WriteString(`) UPDATE memberships SET last_read_id = v.last_id FROM v
		WHERE memberships.room_id = v.room_id AND memberships.user_id = v.user_id
		AND memberships.last_read_id < v.last_id`)
	if _, err := s.db.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	return nil
}
