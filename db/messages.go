package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charla/charla/chat"
)

// Limits that the store enforces, whatever the client says.
const (
	MaxMessageLen = 4000 // characters (runes), not bytes
	MaxNameLen    = 32
	minKeyLen     = 8
	maxKeyLen     = 64
	// PageSize is how many messages a history page holds.
	PageSize = 50
)

// GeneralRoom is the room every skeleton message goes to (migration 00001).
const GeneralRoom int64 = 1

var (
	// ErrEmpty: the message has no text besides white space. Nothing is stored.
	ErrEmpty = errors.New("message is empty")
	// ErrBadKey: the one-time key is missing or malformed.
	ErrBadKey = errors.New("message key is missing or malformed")
	// ErrBadName: the author's name is empty, too long or has control characters.
	ErrBadName = errors.New("name must be 1 to 32 characters, without control characters")
)

// TooLongError says a message is over MaxMessageLen, and by how much.
type TooLongError struct{ Len int }

func (e *TooLongError) Error() string {
	return fmt.Sprintf("message is %d characters long; the limit is %d", e.Len, MaxMessageLen)
}

// NewMessage is what a person sends: the store gives it an id and a time.
type NewMessage struct {
	RoomID int64
	UserID int64 // the account that sends it
	Key    string
	Author string // its username, kept with the message
	Body   string
}

// Validate says why m cannot be stored, or nil. Bodies keep their inner
// white space (line breaks matter) but lose it at both ends.
func (m *NewMessage) Validate() error {
	m.Body = strings.TrimSpace(m.Body)
	if m.Body == "" {
		return ErrEmpty
	}
	if n := utf8.RuneCountInString(m.Body); n > MaxMessageLen {
		return &TooLongError{Len: n}
	}
	if !ValidKey(m.Key) {
		return ErrBadKey
	}
	if !ValidName(m.Author) {
		return ErrBadName
	}
	return nil
}

// ValidKey reports whether key looks like a composer's one-time key: 8 to 64
// characters from [A-Za-z0-9_-].
func ValidKey(key string) bool {
	if len(key) < minKeyLen || len(key) > maxKeyLen {
		return false
	}
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

// ValidName reports whether name can be shown as an author: 1 to MaxNameLen
// characters, valid UTF-8, no control characters, not blank.
func ValidName(name string) bool {
	if !utf8.ValidString(name) || strings.TrimSpace(name) != name || name == "" {
		return false
	}
	if utf8.RuneCountInString(name) > MaxNameLen {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}

const messageColumns = `id, room_id, pos, COALESCE(user_id, 0), client_key, author, body, created_at,
	COALESCE(edited_at, 0), deleted_at IS NOT NULL, reactions`

// roomPos is the newest position of the room bound to its parameter: a
// change takes the next one. Positions count each room's changes apart
// (1, 2, 3…), so that whoever follows a room can tell a missed event from
// the numbers alone (see RoomEvent). The statement that uses it holds the
// database's write lock, so two changes, from this instance or another,
// never take the same one (and the UNIQUE index would refuse it if they
// did). It reads one index entry (messages_room_pos).
const roomPos = `(SELECT COALESCE(MAX(pos), 0) FROM messages WHERE room_id = ?)`

// preparedBatch is the most rows an INSERT of messages has and still is
// prepared once and kept (see CreateMessages): one statement a size, so a
// few dozen at most; bigger batches are rare and parse cheaply per row.
const preparedBatch = 16

// Messages returns up to limit messages of room with ids below before (all
// when before is 0), oldest first: a history page.
func (s *Store) Messages(ctx context.Context, room, before int64, limit int) ([]chat.Message, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	msgs, err := s.selectMessages(ctx,
		`SELECT `+messageColumns+` FROM messages
		 WHERE room_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, room, before, limit)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
		msgs[i], msgs[j] = msgs[j], msgs[i]
	}
	return msgs, nil
}

// MessagesAfter returns up to limit messages of room with ids above after,
// oldest first: what a reconnecting client missed.
func (s *Store) MessagesAfter(ctx context.Context, room, after int64, limit int) ([]chat.Message, error) {
	msgs, err := s.selectMessages(ctx,
		`SELECT `+messageColumns+` FROM messages
		 WHERE room_id = ? AND id > ? ORDER BY id LIMIT ?`, room, after, limit)
	if err != nil {
		return nil, fmt.Errorf("messages after %d: %w", after, err)
	}
	return msgs, nil
}

// ChangedAfter returns up to limit messages of room whose position is above
// pos, in position order, each as it is now: what a page whose cursor is
// pos has not seen. A message changed several times since is returned once.
func (s *Store) ChangedAfter(ctx context.Context, room, pos int64, limit int) ([]chat.Message, error) {
	msgs, err := s.selectMessages(ctx,
		`SELECT `+messageColumns+` FROM messages
		 WHERE room_id = ? AND pos > ? ORDER BY pos LIMIT ?`, room, pos, limit)
	if err != nil {
		return nil, fmt.Errorf("messages changed after %d: %w", pos, err)
	}
	return msgs, nil
}

// CountChangedAfter returns how many messages of room changed after
// position pos, counting no further than limit.
func (s *Store) CountChangedAfter(ctx context.Context, room, pos int64, limit int) (int, error) {
	var n int
	st, err := s.prepared(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE room_id = ? AND pos > ? LIMIT ?)`)
	if err == nil {
		err = st.QueryRowContext(ctx, room, pos, limit).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("count messages changed after %d: %w", pos, err)
	}
	return n, nil
}

// Cursor returns the newest position of room (0 for a room without
// messages). Read before a page's messages, it is where the page's socket
// starts: whatever changes after it is replayed.
func (s *Store) Cursor(ctx context.Context, room int64) (int64, error) {
	var pos int64
	st, err := s.prepared(ctx, `SELECT COALESCE(MAX(pos), 0) FROM messages WHERE room_id = ?`)
	if err == nil {
		err = st.QueryRowContext(ctx, room).Scan(&pos)
	}
	if err != nil {
		return 0, fmt.Errorf("room cursor: %w", err)
	}
	return pos, nil
}

// CountAfter returns how many messages of room have ids above after, but
// counts no further than limit: enough to tell "more than limit-1" from an
// index, without reading the messages.
func (s *Store) CountAfter(ctx context.Context, room, after int64, limit int) (int, error) {
	var n int
	st, err := s.prepared(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE room_id = ? AND id > ? LIMIT ?)`)
	if err == nil {
		err = st.QueryRowContext(ctx, room, after, limit).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("count messages after %d: %w", after, err)
	}
	return n, nil
}

// Stored is the outcome of storing one NewMessage: the message as stored,
// and whether this call created it (false: its key was stored before, and
// Message is that earlier message).
type Stored struct {
	Message chat.Message
	Created bool
}

// CreateMessages stores msgs, which must be valid, in one statement (one
// transaction, one fsync, one round trip to a server) and returns one Stored
// per input, in input order. A message whose key is already stored is not
// stored again: its Stored is the earlier message with Created false.
func (s *Store) CreateMessages(ctx context.Context, msgs []NewMessage) ([]Stored, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	now := time.Now().UnixMilli()
	var q strings.Builder
	q.WriteString(`INSERT INTO messages (room_id, user_id, client_key, author, body, created_at, pos) VALUES `)
	args := make([]any, 0, 7*len(msgs))
	// Each row takes its room's newest position plus its place among the
	// batch's rows of that room. SQLite (and tursodb) evaluate such a
	// subquery once, before the first row is stored; were one evaluated
	// after the rows before it, positions would skip some numbers but still
	// be distinct and in row order, which is id order.
	n := make(map[int64]int)
	seen := make(map[string]bool, len(msgs))
	for _, m := range msgs {
		if seen[m.Key] {
			continue // twice in one batch: the first one stands for both
		}
		seen[m.Key] = true
		if len(args) > 0 {
			q.WriteString(", ")
		}
		n[m.RoomID]++
		q.WriteString("(?, ?, ?, ?, ?, ?, " + roomPos + " + ?)")
		args = append(args, m.RoomID, nullID(m.UserID), m.Key, m.Author, m.Body, now, m.RoomID, n[m.RoomID])
	}
	q.WriteString(` ON CONFLICT (client_key) DO NOTHING RETURNING ` + messageColumns)

	// The statement's text depends only on its number of rows, so the
	// small batches of an everyday room are parsed once: parsing one (a
	// subquery a row) cost more than running it.
	var created []chat.Message
	var err error
	if len(seen) <= preparedBatch {
		created, err = s.selectMessages(ctx, q.String(), args...)
	} else {
		created, err = s.returningMessages(ctx, q.String(), args...)
	}
	if err != nil {
		return nil, fmt.Errorf("create messages: %w", err)
	}
	byKey := make(map[string]Stored, len(msgs))
	for _, m := range created {
		byKey[m.Key] = Stored{Message: m, Created: true}
	}
	// Keys that inserted nothing were stored before: look those up. The
	// INSERT ran first, so whatever it skipped is already there to read.
	var repeats []string
	for key := range seen {
		if _, ok := byKey[key]; !ok {
			repeats = append(repeats, key)
		}
	}
	if len(repeats) > 0 {
		earlier, err := s.messagesByKey(ctx, repeats)
		if err != nil {
			return nil, fmt.Errorf("create messages: %w", err)
		}
		for _, m := range earlier {
			byKey[m.Key] = Stored{Message: m}
		}
	}
	out := make([]Stored, len(msgs))
	claimed := make(map[string]bool, len(msgs))
	for i, m := range msgs {
		st, ok := byKey[m.Key]
		if !ok {
			return nil, fmt.Errorf("create messages: key %q neither stored nor found", m.Key)
		}
		if claimed[m.Key] {
			st.Created = false // the second copy in one batch did not create it
		}
		claimed[m.Key] = true
		out[i] = st
	}
	return out, nil
}

// nullID stores 0 (no account: tests, or messages from before accounts) as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (s *Store) messagesByKey(ctx context.Context, keys []string) ([]chat.Message, error) {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	return s.returningMessages(ctx,
		`SELECT `+messageColumns+` FROM messages WHERE client_key IN (?`+strings.Repeat(", ?", len(keys)-1)+`)`, args...)
}

// selectMessages runs a prepared statement whose columns are
// messageColumns (a SELECT, or an INSERT or UPDATE … RETURNING them) and
// returns its messages, in its order.
func (s *Store) selectMessages(ctx context.Context, query string, args ...any) ([]chat.Message, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanMessages(rows)
}

// returningMessages is selectMessages unprepared, for a statement whose
// text is built for its arguments (a big batch's INSERT, a SELECT … IN):
// keeping each would grow without bound.
func (s *Store) returningMessages(ctx context.Context, query string, args ...any) ([]chat.Message, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanMessages(rows)
}

func scanMessages(rows *sql.Rows) ([]chat.Message, error) {
	defer rows.Close()
	var msgs []chat.Message
	for rows.Next() {
		var m chat.Message
		var created, edited int64
		var reactions string
		if err := rows.Scan(&m.ID, &m.RoomID, &m.Pos, &m.UserID, &m.Key, &m.Author, &m.Body, &created,
			&edited, &m.Deleted, &reactions); err != nil {
			return nil, err
		}
		m.CreatedAt = time.UnixMilli(created)
		if edited != 0 {
			m.EditedAt = time.UnixMilli(edited)
		}
		var err error
		if m.Reactions, err = decodeReactions(reactions); err != nil {
			return nil, fmt.Errorf("message %d: %w", m.ID, err)
		}
		msgs = append(msgs, m)
	}
	return msgs, rows.Err()
}
