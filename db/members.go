package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charla/charla/chat"
)

// maxMembersListed bounds a room's member list: a team or a community, not
// a public service. Past it the list shows the first ones by name.
const maxMembersListed = 1000

// Members returns the people in roomID by name, deactivated ones included
// (they are still in it, and their messages are there).
func (s *Store) Members(ctx context.Context, roomID int64) ([]chat.User, error) {
	rows, err := s.query(ctx,
		`SELECT u.id, u.username, u.is_admin, u.deactivated_at IS NOT NULL
		 FROM memberships m JOIN users u ON u.id = m.user_id
		 WHERE m.room_id = ? ORDER BY u.username LIMIT ?`, roomID, maxMembersListed)
	if err != nil {
		return nil, fmt.Errorf("members of %d: %w", roomID, err)
	}
	defer rows.Close()
	var out []chat.User
	for rows.Next() {
		var u chat.User
		if err := rows.Scan(&u.ID, &u.Username, &u.Admin, &u.Deactivated); err != nil {
			return nil, fmt.Errorf("members of %d: %w", roomID, err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("members of %d: %w", roomID, err)
	}
	return out, nil
}

// MaxTopicLen is the longest topic, in characters: one line under the
// room's name, not a description.
const MaxTopicLen = 200

// ErrTopicTooLong: a topic over MaxTopicLen characters.
var ErrTopicTooLong = fmt.Errorf("a topic is at most %d characters", MaxTopicLen)

// CleanTopic makes what was typed one line: runs of spaces, tabs and line
// breaks become one space, other control characters go, and invalid UTF-8
// is replaced. The header shows it on one line, cut if need be.
func CleanTopic(topic string) string {
	topic = strings.ToValidUTF8(topic, "\uFFFD")
	topic = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, topic)
	return strings.Join(strings.Fields(topic), " ")
}

// SetTopic sets roomID's topic (CleanTopic'd; "" clears it). Who may is the
// caller's decision.
func (s *Store) SetTopic(ctx context.Context, roomID int64, topic string) (string, error) {
	topic = CleanTopic(topic)
	if utf8.RuneCountInString(topic) > MaxTopicLen {
		return "", ErrTopicTooLong
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE rooms SET topic = ? WHERE id = ?`, topic, roomID); err != nil {
		return "", fmt.Errorf("set topic of %d: %w", roomID, err)
	}
	return topic, nil
}

// ErrShortPrefix: too little typed to suggest names for.
var ErrShortPrefix = errors.New("type more of the name")

// Suggesting usernames. Every signed-in person may list the active
// accounts this way, a few at a time; that is a team's directory (as in
// Campfire or Slack), and a name's existence was never secret: the
// "Message" form says "there is nobody called x" otherwise. What it never
// says: which rooms anyone is in, who is an admin, who was deactivated.
// The bounds make a full listing slow, not impossible.
const (
	// MinSuggestPrefix is how much of a name must be typed before any is
	// suggested: a one-letter sweep would list an eighth of everyone.
	MinSuggestPrefix = 2
	// MaxSuggestions is how many names one answer suggests.
	MaxSuggestions = 8
)

// Usernames returns up to MaxSuggestions usernames of active accounts that
// begin with prefix (ignoring ASCII case, as usernames are unique), by
// name, leaving out the account except (the person asking).
func (s *Store) Usernames(ctx context.Context, prefix string, except int64) ([]string, error) {
	switch n := utf8.RuneCountInString(prefix); {
	case n < MinSuggestPrefix:
		return nil, ErrShortPrefix
	case n > MaxNameLen:
		return nil, nil // no name is that long
	}
	// A range on the NOCASE-unique username: the index answers it, and no
	// character of the prefix is a pattern (LIKE would need escaping "_").
	rows, err := s.query(ctx,
		`SELECT username FROM users
		 WHERE username >= ? AND username < ? AND deactivated_at IS NULL AND id != ?
		 ORDER BY username LIMIT ?`, prefix, prefix+string(utf8.MaxRune), except, MaxSuggestions)
	if err != nil {
		return nil, fmt.Errorf("usernames: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("usernames: %w", err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("usernames: %w", err)
	}
	return out, nil
}
