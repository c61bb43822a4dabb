package handlers

import (
	"bytes"
	"context"

	"github.com/a-h/templ"
	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
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

// Publisher returns what the db.Writer hands each committed room event to:
// the one place that turns a committed change into a frame. It renders the
// event once and hands the same bytes to every subscriber of its room.
func Publisher(hb *hub.Hub) db.Publisher {
	return db.PublishFunc(func(ev chat.RoomEvent) { hb.Publish(roomFrame(ev)) })
}

// roomFrame renders ev for the pages of its room.
func roomFrame(ev chat.RoomEvent) hub.Event {
	out := hub.Event{Room: ev.Room, Pos: ev.Pos()}
	if ev.Change == chat.Post {
		out.Kind = hub.Appended
		out.LastID = ev.Messages[len(ev.Messages)-1].ID
		out.Senders = make([]int64, len(ev.Messages))
		for i, m := range ev.Messages {
			out.Senders[i] = m.UserID
		}
		out.Mentions = mentionsOf(ev.Messages)
		out.Frame = renderBytes(views.MessagesFrame(ev.Messages))
		return out
	}
	out.Kind = hub.Changed
	out.Frame = renderBytes(views.ChangedFrame(ev.Messages))
	return out
}
