package views

import (
	"slices"
	"strconv"
	"strings"

	"github.com/charla/charla/chat"
)

// messageURL is a message's own page: what it says, and the forms to
// change it (edit, delete, react) for whoever may. htmx loads it into the
// message's menu; without script it opens as a page.
func messageURL(m chat.Message) string {
	return RoomURL(m.RoomID) + "/messages/" + strconv.FormatInt(m.ID, 10)
}

// TypingID is the element id of a person's "is typing" mark.
func TypingID(user int64) string { return "typing-" + strconv.FormatInt(user, 10) }

// OnlineID is the element id of a person's entry in a room's online list.
func OnlineID(user int64) string { return "online-" + strconv.FormatInt(user, 10) }

// DirectOnlineID is the element id of the mark on a direct conversation
// in the sidebar that says its other person, peer, is online.
func DirectOnlineID(room int64, peer string) string {
	return "dm-online-" + strconv.FormatInt(room, 10) + "-" + peer
}

// reactorIDs lists who reacted as " 3 5 ": the viewer's stylesheet marks
// their own reaction with [data-people~="ID"].
func reactorIDs(r chat.Reaction) string {
	var b strings.Builder
	for i, p := range r.People {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatInt(p.ID, 10))
	}
	return b.String()
}

// maxReactorNames bounds the names a reaction's tooltip lists.
const maxReactorNames = 20

// reactorNames lists who reacted, for the tooltip and screen readers.
func reactorNames(r chat.Reaction) string {
	names := make([]string, 0, min(len(r.People), maxReactorNames))
	for _, p := range r.People[:min(len(r.People), maxReactorNames)] {
		names = append(names, p.Name)
	}
	s := strings.Join(names, ", ")
	if more := len(r.People) - maxReactorNames; more > 0 {
		s += " +" + strconv.Itoa(more)
	}
	return s
}

// authors returns the accounts that wrote msgs, each once.
func authors(msgs []chat.Message) []int64 {
	var ids []int64
	for _, m := range msgs {
		if m.UserID != 0 && !slices.Contains(ids, m.UserID) {
			ids = append(ids, m.UserID)
		}
	}
	return ids
}

// newer returns the messages of msgs with ids above newest; older the rest.
func newer(msgs []chat.Message, newest int64) []chat.Message {
	return slices.DeleteFunc(slices.Clone(msgs), func(m chat.Message) bool { return m.ID <= newest })
}

func older(msgs []chat.Message, newest int64) []chat.Message {
	return slices.DeleteFunc(slices.Clone(msgs), func(m chat.Message) bool { return m.ID > newest })
}

// MessageActionsLabel is the element id of the words that name every
// message's menu link (aria-labelledby): the page has them once, in its
// reader's language, since a message is the same markup for everyone.
const MessageActionsLabel = "message-actions-label"

// menuTarget is where a message's menu goes: its .msg-menu.
func menuTarget(m chat.Message) string { return "#" + MessageID(m.ID) + " > .msg-menu" }
