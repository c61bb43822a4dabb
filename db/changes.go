package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charla/charla/chat"
)

var (
	// ErrNoMessage: the room has no such message, or it was deleted. A
	// message of another room gets this same answer, so ids cannot be
	// probed.
	ErrNoMessage = errors.New("no such message in this room")
	// ErrNotYours: only the author may edit a message, and only the author
	// or an admin may delete it.
	ErrNotYours = errors.New("this message is someone else's")
	// ErrNoReaction: the emoji is not one of chat.ReactionEmoji.
	ErrNoReaction = errors.New("not one of the reactions")
	// ErrTooManyReactions: the emoji has MaxReactors people already.
	ErrTooManyReactions = errors.New("too many people reacted with that already")
	// ErrConflict: the message kept changing under a reaction (other
	// instances reacting at the same moment) more times than tried.
	ErrConflict = errors.New("the message kept changing: try again")
)

// reactTries bounds the attempts of a reaction whose message changed
// between reading and writing it (only another instance can do that: one
// instance's writes all go through its Writer).
const reactTries = 3

// MessageChange is a change a person asks for on a message already posted.
type MessageChange struct {
	Kind      chat.Change
	RoomID    int64
	MessageID int64
	By        chat.User // who asks: the author, or an admin for Delete
	Body      string    // Edit: the new text
	Emoji     string    // React: the reaction to toggle
}

// Validate says why c cannot be made, or nil.
func (c *MessageChange) Validate() error {
	if c.MessageID <= 0 {
		return ErrNoMessage
	}
	switch c.Kind {
	case chat.Edit:
		c.Body = strings.TrimSpace(c.Body)
		if c.Body == "" {
			return ErrEmpty
		}
		if n := utf8.RuneCountInString(c.Body); n > MaxMessageLen {
			return &TooLongError{Len: n}
		}
	case chat.React:
		if !chat.IsReaction(c.Emoji) {
			return ErrNoReaction
		}
	case chat.Delete:
	default:
		return fmt.Errorf("unknown change %d", c.Kind)
	}
	return nil
}

// ChangeMessage makes c, which must be valid, in one statement that also
// gives the message the next position, and returns the message as it is
// now. Errors: ErrNoMessage, ErrNotYours, ErrConflict, or the database's.
func (s *Store) ChangeMessage(ctx context.Context, c MessageChange) (chat.Message, error) {
	now := time.Now().UnixMilli()
	switch c.Kind {
	case chat.Edit:
		return s.changeOne(ctx, c,
			`UPDATE messages SET body = ?, edited_at = ?, pos = `+roomPos+` + 1
			 WHERE id = ? AND room_id = ? AND deleted_at IS NULL AND user_id = ?
			 RETURNING `+messageColumns,
			c.Body, now, c.RoomID, c.MessageID, c.RoomID, c.By.ID)
	case chat.Delete:
		// The text and the reactions go: a deleted message is a stub.
		return s.changeOne(ctx, c,
			`UPDATE messages SET body = '', reactions = '', deleted_at = ?, pos = `+roomPos+` + 1
			 WHERE id = ? AND room_id = ? AND deleted_at IS NULL AND (user_id = ? OR ?)
			 RETURNING `+messageColumns,
			now, c.RoomID, c.MessageID, c.RoomID, c.By.ID, c.By.Admin)
	case chat.React:
		return s.react(ctx, c)
	}
	return chat.Message{}, fmt.Errorf("unknown change %d", c.Kind)
}

// changeOne runs an UPDATE … RETURNING of one message; no row means the
// message is not there or not the person's, which why tells apart.
func (s *Store) changeOne(ctx context.Context, c MessageChange, query string, args ...any) (chat.Message, error) {
	msgs, err := s.selectMessages(ctx, query, args...)
	if err != nil {
		return chat.Message{}, fmt.Errorf("change message: %w", err)
	}
	if len(msgs) == 1 {
		return msgs[0], nil
	}
	return chat.Message{}, s.why(ctx, c)
}

// why tells ErrNoMessage from ErrNotYours for a change that touched no row.
func (s *Store) why(ctx context.Context, c MessageChange) error {
	m, err := s.Message(ctx, c.RoomID, c.MessageID)
	switch {
	case err != nil:
		return err
	case m.Deleted:
		return ErrNoMessage
	case m.UserID != c.By.ID:
		return ErrNotYours
	default:
		return ErrNoMessage // deleted meanwhile
	}
}

// react toggles c.By's c.Emoji on the message. The new list is computed
// here and written only if the stored one is still what was read (compare
// and swap), so a concurrent reaction from another instance is never lost.
func (s *Store) react(ctx context.Context, c MessageChange) (chat.Message, error) {
	who := chat.Reactor{ID: c.By.ID, Name: c.By.Username}
	for range reactTries {
		m, err := s.Message(ctx, c.RoomID, c.MessageID)
		if err != nil {
			return chat.Message{}, err
		}
		if m.Deleted {
			return chat.Message{}, ErrNoMessage
		}
		old := encodeReactions(m.Reactions)
		now, err := toggleReaction(m.Reactions, c.Emoji, who)
		if err != nil {
			return chat.Message{}, err
		}
		msgs, err := s.selectMessages(ctx,
			`UPDATE messages SET reactions = ?, pos = `+roomPos+` + 1
			 WHERE id = ? AND room_id = ? AND deleted_at IS NULL AND reactions = ?
			 RETURNING `+messageColumns,
			encodeReactions(now), c.RoomID, c.MessageID, c.RoomID, old)
		if err != nil {
			return chat.Message{}, fmt.Errorf("react: %w", err)
		}
		if len(msgs) == 1 {
			return msgs[0], nil
		}
	}
	return chat.Message{}, ErrConflict
}

// Message returns one message of room as it is now (a deleted one too,
// marked so). One of another room is ErrNoMessage.
func (s *Store) Message(ctx context.Context, room, id int64) (chat.Message, error) {
	msgs, err := s.selectMessages(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = ? AND room_id = ?`, id, room)
	if err != nil {
		return chat.Message{}, fmt.Errorf("message %d: %w", id, err)
	}
	if len(msgs) == 0 {
		return chat.Message{}, ErrNoMessage
	}
	return msgs[0], nil
}
