package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/charla/charla/db"
	"github.com/charla/charla/hub"
	"github.com/charla/charla/views"
	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"
)

const (
	// maxFrame is the largest frame a browser may send: a 4,000-character
	// message is at most 16 KB of UTF-8, plus the form's other fields.
	maxFrame = 64 << 10
	// sendBuffer is how many frames a connection may fall behind the room
	// before it is dropped; it then reconnects and catches up from the
	// database, so a slow client never holds the others back.
	sendBuffer = 64
	// directBuffer holds replies meant for one connection (errors, acks).
	directBuffer = 16
	// writeTimeout bounds one frame's write to a stuck client.
	writeTimeout = 10 * time.Second
	// lagGrace is how long a lagging socket's write loop has to close it
	// cleanly before the connection is cut.
	lagGrace = time.Second
	// replayPage is how many missed messages go in one recovery frame.
	replayPage = 500
)

// sendFrame is what hx-ws sends for the composer: the form's fields at the
// top level (and a "headers" object, which charla does not need).
type sendFrame struct {
	Body string `json:"body"`
	Key  string `json:"key"`
}

// socket is one open WebSocket connection: one person's page of one room.
type socket struct {
	conn   *websocket.Conn
	user   db.User
	room   int64
	csrf   string // for the plain-HTTP fallback of forms sent to this page
	direct chan []byte
	cancel context.CancelCauseFunc
	// unread counts the messages of the person's other rooms, for the
	// sidebar; only the write loop touches it.
	unread map[int64]int
}

// Causes with which the server ends sockets. Each closes with 1012 (service
// restart): hx-ws reconnects, and the new connection is checked afresh.
var (
	errRestart   = errors.New("server restarting")
	errSignedOut = errors.New("signed out")
	errRooms     = errors.New("rooms changed")
)

// Socket upgrades to a WebSocket on which a member's page of a room sends
// messages and receives every message of the room: first those after
// ?after=ID that it missed, then live ones, with no gap and no duplicate;
// and the unread counts of the person's other rooms.
//
// Who may subscribe: a signed-in member of the room, checked here before the
// upgrade (401 signed out, 404 or 403 not a member, as for the room's
// pages), and again on every reconnect, since a change of membership or a
// sign-out closes the person's sockets. Cross-site WebSocket hijacking is
// refused by the Origin check in websocket.Accept (the page's own host, plus
// OriginPatterns), since a socket carries the cookies of whoever opens it.
func (h *Handler) Socket(c echo.Context) error {
	r := c.Request()
	u, ok := currentUser(c)
	if !ok {
		return echo.NewHTTPError(http.StatusUnauthorized, "sign in first")
	}
	room, err := h.memberRoom(c)
	if err != nil {
		return err
	}
	var after int64 = -1 // no ?after: live messages only, no replay
	if s := r.URL.Query().Get("after"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 0 {
			return echo.NewHTTPError(http.StatusBadRequest, "after must be a message id")
		}
		after = id
	}
	rooms, err := h.Store.Rooms(r.Context(), u.ID)
	if err != nil {
		return err
	}

	conn, err := websocket.Accept(c.Response(), r, &websocket.AcceptOptions{OriginPatterns: h.OriginPatterns})
	if err != nil {
		// Accept has answered (403 for a foreign Origin).
		h.Log.Warn("websocket refused", "err", err, "origin", r.Header.Get("Origin"))
		return nil
	}
	// Our own limit (maxFrame) decides, with a policy-violation close;
	// the library's must not fire first.
	conn.SetReadLimit(maxFrame + 1)

	ctx, cancel := context.WithCancelCause(context.Background())
	s := &socket{conn: conn, user: u, room: room.ID, csrf: csrfToken(c), direct: make(chan []byte, directBuffer), cancel: cancel}
	if !h.sockets.add(s) {
		conn.Close(websocket.StatusServiceRestart, errRestart.Error())
		return nil
	}
	defer h.sockets.remove(s)

	start := time.Now()
	log := h.Log.With("room", s.room, "user", u.Username, "ip", c.RealIP())
	log.Info("websocket connect", "after", after)

	// A client that fell behind is told so by the write loop (1013); if that
	// loop is itself stuck on a full TCP window, nothing can reach the
	// client, so the connection is cut a moment later. Either way hx-ws
	// reconnects and the page catches up from the database.
	roomIDs := make([]int64, len(rooms))
	for i, rs := range rooms {
		roomIDs[i] = rs.ID
	}
	sub := h.Hub.Subscribe(roomIDs, sendBuffer, func() {
		time.AfterFunc(lagGrace, func() { conn.CloseNow() })
	})
	defer sub.Close()

	var readers sync.WaitGroup
	readers.Go(func() {
		h.readLoop(ctx, s, log)
	})
	code, reason, last := h.writeLoop(ctx, s, sub, after, rooms)
	cancel(nil)
	conn.Close(code, reason)
	readers.Wait()
	h.markRead(s, last, log)
	log.Info("websocket disconnect", "code", int(code), "reason", reason, "duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// markRead records what the page was shown, for the unread counts.
func (h *Handler) markRead(s *socket, last int64, log *slog.Logger) {
	if last <= 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	if err := h.Store.MarkRead(ctx, s.room, s.user.ID, last); err != nil {
		log.Warn("mark read", "err", err)
	}
}

// writeLoop owns every write to the connection: the unread counts, the
// replay, live events and replies. It returns the close code and reason to
// end with, and the newest message id it sent.
func (h *Handler) writeLoop(ctx context.Context, s *socket, sub *hub.Subscription, after int64, rooms []db.RoomSummary) (websocket.StatusCode, string, int64) {
	code, reason := h.stream(ctx, s, sub, &after, rooms)
	return code, reason, after
}

func (h *Handler) stream(ctx context.Context, s *socket, sub *hub.Subscription, lastp *int64, rooms []db.RoomSummary) (websocket.StatusCode, string) {
	// The sidebar as it is now: after a reconnect (say, because the
	// person was added to a room) the page's copy may be out of date.
	s.unread = make(map[int64]int, len(rooms))
	for i, rs := range rooms {
		if rs.ID == s.room {
			rooms[i].Unread = 0 // what the page is about to be shown
		}
		s.unread[rs.ID] = rooms[i].Unread
	}
	if err := h.write(s, renderBytes(ctx, views.RoomListUpdate(rooms, s.room))); err != nil {
		return closeFor(ctx)
	}
	// The subscription exists before the replay reads the database, so a
	// message committed meanwhile is either in the replay or in sub (or
	// both: then its id is at most last, and it is skipped).
	last := *lastp
	defer func() { *lastp = last }()
	if last >= 0 {
		for {
			msgs, err := h.Store.MessagesAfter(ctx, s.room, last, replayPage)
			if err != nil {
				if ctx.Err() != nil {
					return closeFor(ctx)
				}
				h.Log.Error("replay", "err", err)
				return websocket.StatusTryAgainLater, "could not read history"
			}
			if len(msgs) == 0 {
				break
			}
			if err := h.write(s, renderBytes(ctx, views.MessagesFrame(msgs))); err != nil {
				return closeFor(ctx)
			}
			last = msgs[len(msgs)-1].ID
			if len(msgs) < replayPage {
				break
			}
		}
	}
	for {
		select {
		case ev := <-sub.Events():
			if ev.Room != s.room {
				s.unread[ev.Room] += ev.Count
				if err := h.write(s, renderBytes(ctx, views.UnreadCount(ev.Room, s.unread[ev.Room]))); err != nil {
					return closeFor(ctx)
				}
				continue
			}
			if ev.LastID <= last {
				continue // already sent by the replay
			}
			if err := h.write(s, ev.Frame); err != nil {
				return closeFor(ctx)
			}
			last = ev.LastID
		case frame := <-s.direct:
			if err := h.write(s, frame); err != nil {
				return closeFor(ctx)
			}
		case <-sub.Lagged():
			return websocket.StatusTryAgainLater, "too slow: reconnect to catch up"
		case <-ctx.Done():
			return closeFor(ctx)
		}
	}
}

// closeFor picks the close code for a context that ended: 1012 on shutdown
// (hx-ws reconnects), or the code a failed read or frame asked for.
func closeFor(ctx context.Context) (websocket.StatusCode, string) {
	var pe *policyError
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errRestart), errors.Is(cause, errSignedOut), errors.Is(cause, errRooms):
		return websocket.StatusServiceRestart, cause.Error()
	case errors.As(cause, &pe):
		return websocket.StatusPolicyViolation, pe.reason
	default:
		return websocket.StatusNormalClosure, ""
	}
}

// write sends one frame. Its context is not the socket's: coder/websocket
// tears a connection down when a write's context ends, and an ending socket
// must still be able to send its close code.
func (h *Handler) write(s *socket, frame []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	return s.conn.Write(ctx, websocket.MessageText, frame)
}

// policyError ends a socket whose client broke the protocol.
type policyError struct{ reason string }

func (e *policyError) Error() string { return e.reason }

// readLoop takes the client's frames one at a time: a person's messages are
// stored in the order they were sent.
func (h *Handler) readLoop(ctx context.Context, s *socket, log *slog.Logger) {
	for {
		// Not ctx: a read whose context ends closes the connection at
		// once, before the write loop can send its close code. Reads end
		// when the write loop closes the connection.
		typ, r, err := s.conn.Reader(context.Background())
		if err != nil {
			s.cancel(nil) // closed by the client, or ctx ended
			return
		}
		data, err := io.ReadAll(io.LimitReader(r, maxFrame+1))
		if err != nil {
			s.cancel(nil)
			return
		}
		var f sendFrame
		switch {
		case typ != websocket.MessageText:
			err = errors.New("binary frame")
		case len(data) > maxFrame:
			err = errors.New("frame over " + strconv.Itoa(maxFrame) + " bytes")
		default:
			if jerr := json.Unmarshal(data, &f); jerr != nil {
				err = errors.New("malformed JSON")
			}
		}
		if err != nil {
			log.Warn("websocket policy violation", "err", err, "bytes", len(data))
			s.cancel(&policyError{reason: err.Error()})
			return
		}
		h.receive(ctx, s, f, log)
	}
}

// receive stores one message and answers the sender when there is something
// to say to it alone. A new message reaches the sender, like everyone else,
// through the room (db.Writer publishes it after commit).
func (h *Handler) receive(ctx context.Context, s *socket, f sendFrame, log *slog.Logger) {
	var st db.Stored
	var err error
	if allow(h.limits.send, sendLimitKey(s.user)) {
		st, err = h.Poster.Post(ctx, db.NewMessage{RoomID: s.room, UserID: s.user.ID, Key: f.Key, Author: s.user.Username, Body: f.Body})
	} else {
		err = errSlowDown
	}
	switch {
	case err == nil && st.Created:
		return
	case err == nil:
		// A resend of a stored message: confirm it to this page only.
		h.reply(s, views.MessagesFrame([]db.Message{st.Message}))
	case errors.Is(err, db.ErrEmpty):
		if db.ValidKey(f.Key) {
			h.reply(s, views.DeletePending(f.Key))
		}
	case ctx.Err() != nil:
		return // the socket is closing; the page resends pending messages on reconnect
	default:
		if !db.ValidKey(f.Key) {
			f.Key = newKey() // still give the text back
		}
		status, problem := sendProblem(err)
		if status >= 500 {
			log.Warn("send failed", "err", err)
		}
		h.reply(s, views.FailedMessage(s.room, f.Key, f.Body, problem, s.csrf))
	}
}

// reply queues a frame for this socket alone. A client too slow to take its
// own replies is dropped, like one too slow for the room.
func (h *Handler) reply(s *socket, c templ.Component) {
	select {
	case s.direct <- renderBytes(context.Background(), c):
	default:
		s.cancel(errors.New("reply buffer full"))
	}
}

// renderBytes renders a fragment once, for any number of connections.
func renderBytes(ctx context.Context, c templ.Component) []byte {
	var b bytes.Buffer
	if err := c.Render(ctx, &b); err != nil {
		// Rendering plain values into a buffer cannot fail short of a bug.
		panic(err)
	}
	return b.Bytes()
}

// Publisher returns the db.Writer's commit hook: it renders each room's new
// messages once and hands the same bytes to every subscriber.
func Publisher(hb *hub.Hub) func([]db.Message) {
	return func(msgs []db.Message) {
		for start := 0; start < len(msgs); {
			end := start + 1
			for end < len(msgs) && msgs[end].RoomID == msgs[start].RoomID {
				end++
			}
			room := msgs[start:end]
			hb.Publish(hub.Event{
				Room:   room[0].RoomID,
				LastID: room[len(room)-1].ID,
				Count:  len(room),
				Frame:  renderBytes(context.Background(), views.MessagesFrame(room)),
			})
			start = end
		}
	}
}

func (set *socketSet) add(s *socket) bool {
	set.mu.Lock()
	defer set.mu.Unlock()
	if set.closed {
		return false
	}
	set.conns[s] = struct{}{}
	set.wg.Add(1)
	return true
}

func (set *socketSet) remove(s *socket) {
	set.mu.Lock()
	delete(set.conns, s)
	set.mu.Unlock()
	set.wg.Done()
}

// Sockets returns how many sockets are open.
func (h *Handler) Sockets() int {
	h.sockets.mu.Lock()
	defer h.sockets.mu.Unlock()
	return len(h.sockets.conns)
}

// closeSockets ends the sockets that match with cause.
func (h *Handler) closeSockets(match func(*socket) bool, cause error) {
	h.sockets.mu.Lock()
	defer h.sockets.mu.Unlock()
	for s := range h.sockets.conns {
		if match(s) {
			s.cancel(cause)
		}
	}
}

// refreshSockets closes the sockets of these people after a change of their
// rooms; their pages reconnect and subscribe to the rooms they now have.
func (h *Handler) refreshSockets(userIDs ...int64) {
	h.closeSockets(func(s *socket) bool { return slices.Contains(userIDs, s.user.ID) }, errRooms)
}

// CloseSockets ends every socket with 1012 (service restart), which hx-ws
// answers by reconnecting, and waits for their handlers to finish. Call it
// after the HTTP server has stopped accepting: Shutdown does not touch
// hijacked connections.
func (h *Handler) CloseSockets(ctx context.Context) {
	set := &h.sockets
	set.mu.Lock()
	set.closed = true
	for s := range set.conns {
		s.cancel(errRestart)
	}
	set.mu.Unlock()
	done := make(chan struct{})
	go func() { set.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
