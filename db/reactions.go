package db

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/charla/charla/chat"
)

// storedReaction is one emoji's entry in messages.reactions.
type storedReaction struct {
	Emoji  string   `json:"e"`
	People [][2]any `json:"u"` // [user id, username]
}

func decodeReactions(s string) ([]chat.Reaction, error) {
	if s == "" {
		return nil, nil
	}
	var stored []storedReaction
	if err := json.Unmarshal([]byte(s), &stored); err != nil {
		return nil, fmt.Errorf("reactions: %w", err)
	}
	out := make([]chat.Reaction, 0, len(stored))
	for _, r := range stored {
		people := make([]chat.Reactor, 0, len(r.People))
		for _, p := range r.People {
			id, _ := p[0].(float64)
			name, _ := p[1].(string)
			people = append(people, chat.Reactor{ID: int64(id), Name: name})
		}
		out = append(out, chat.Reaction{Emoji: r.Emoji, People: people})
	}
	return out, nil
}

func encodeReactions(rs []chat.Reaction) string {
	if len(rs) == 0 {
		return ""
	}
	stored := make([]storedReaction, len(rs))
	for i, r := range rs {
		stored[i].Emoji = r.Emoji
		stored[i].People = make([][2]any, len(r.People))
		for j, p := range r.People {
			stored[i].People[j] = [2]any{p.ID, p.Name}
		}
	}
	b, err := json.Marshal(stored)
	if err != nil {
		panic(err) // ints and strings always marshal
	}
	return string(b)
}

// MaxReactors bounds the people one emoji of one message lists: a message's
// row and every frame that carries it grow with them (a big public room
// reacting to one announcement).
const MaxReactors = 500

// toggleReaction returns rs with who's emoji added, or removed if who had
// it, keeping chat.ReactionEmoji's order and dropping emoji nobody has. An
// emoji with MaxReactors people takes nobody more (ErrTooManyReactions).
func toggleReaction(rs []chat.Reaction, emoji string, who chat.Reactor) ([]chat.Reaction, error) {
	out := make([]chat.Reaction, 0, len(rs)+1)
	for _, e := range chat.ReactionEmoji {
		i := slices.IndexFunc(rs, func(r chat.Reaction) bool { return r.Emoji == e })
		var people []chat.Reactor
		if i >= 0 {
			people = slices.Clone(rs[i].People)
		}
		if e == emoji {
			if j := slices.IndexFunc(people, func(p chat.Reactor) bool { return p.ID == who.ID }); j >= 0 {
				people = slices.Delete(people, j, j+1)
			} else if len(people) >= MaxReactors {
				return nil, ErrTooManyReactions
			} else {
				people = append(people, who)
			}
		}
		if len(people) > 0 {
			out = append(out, chat.Reaction{Emoji: e, People: people})
		}
	}
	return out, nil
}
