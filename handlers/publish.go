package handlers

import (
	"bytes"
	"context"

	"github.com/a-h/templ"
	"github.com/charla/charla/chat"
	"github.com/charla/charla/hub"
	"github.com/charla/charla/views"
)

// renderBytes renders a fragment once, for any number of connections.
func renderBytes(c templ.Component) []byte {
	var b bytes.Buffer
	if err := c.Render(context.Background(), &b); err != nil {
		// Rendering plain values into a buffer cannot fail short of a bug.
		panic(err)
	}
	return b.Bytes()
}

// Publisher returns the db.Writer's commit hook: it renders each room's new
// messages once and hands the same bytes to every subscriber.
func Publisher(hb *hub.Hub) func([]chat.Message) {
	return func(msgs []chat.Message) {
		for start := 0; start < len(msgs); {
			end := start + 1
			for end < len(msgs) && msgs[end].RoomID == msgs[start].RoomID {
				end++
			}
			room := msgs[start:end]
			senders := make([]int64, len(room))
			for i, m := range room {
				senders[i] = m.UserID
			}
			hb.Publish(hub.Event{
				Kind:     hub.Appended,
				Room:     room[0].RoomID,
				LastID:   room[len(room)-1].ID,
				Senders:  senders,
				Mentions: mentionsOf(room),
				Frame:    renderBytes(views.MessagesFrame(room)),
			})
			start = end
		}
	}
}
