package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/hub"
	"github.com/charla/charla/i18n"
	"github.com/charla/charla/views"
	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"
)

const (
	// maxFrame is the largest frame a browser may send: a 4,000-character
	// message is at most 16 KB of UTF-8, plus the form's other fields.
	maxFrame = 64 << 10
	// sendQueue is how many frames a connection may fall behind the room
	// before it is dropped; it then reconnects and catches up from the
	// database, so a slow client never holds the others back.
	sendQueue = 256
	// directQueue bounds the replies meant for one connection (errors, acks).
	directQueue = 16
	// writeTimeout bounds one write to a stuck client.
	writeTimeout = 10 * time.Second
	// lagGrace is how long a lagging socket's close handshake may take
	// before the connection is cut.
	lagGrace = time.Second
	// maxReplay is how many missed messages a socket replays at most.
	maxReplay = 1000
	// replayPage is how many missed messages go in one recovery frame.
	replayPage = 500
)

// upFrame is what a page sends up the socket: a form's fields at the top
// level (and a "headers" object, which charla does not need). Its kind
// says what it is; the composer's frames have none (a message). Every
// field is a string, as a form's values are.
type upFrame struct {
	Kind  string `json:"kind"`
	Key   string `json:"key"`   // message: its one-time key
	Body  string `json:"body"`  // message, edit: the text
	ID    string `json:"id"`    // edit, delete, react: the message's id
	Emoji string `json:"emoji"` // react: which reaction to toggle
}

// Frame kinds, as forms name them in a hidden "kind" field.
const (
	kindMessage = "message" // or no kind: the composer
	kindEdit    = "edit"
	kindDelete  = "delete"
	kindReact   = "react"
	kindTyping  = "typing"
)

// socket is one open WebSocket connection: one person's page of one room.
//
// An idle socket has one goroutine, its reader, blocked on the network.
// Writes happen on a goroutine started when there is something to write
// (see kick), which ends when the queue is empty: holding a writer goroutine
// per idle connection would double what each costs.
type socket struct {
	conn *websocket.Conn
	user chat.User
	room int64
	csrf string    // for the plain-HTTP fallback of forms sent to this page
	lang i18n.Lang // the person's, for the replies to this page alone
	ip   string
	logs *slog.Logger // the handler's; see log
	sub  *hub.Subscription
	// watchdog cuts a connection whose write takes longer than
	// writeTimeout: one timer, reset for each write, instead of a context
	// with a deadline allocated for each of them.
	watchdog *time.Timer

	mu       sync.Mutex
	direct   [][]byte // replies for this page alone
	flushing bool     // the writer (or the replay) is running
	dead     bool     // a write failed: write nothing more

	pinger *time.Timer // see watchPeer; guarded by mu

	rooms []presenceRoom // the person's rooms, for presence

	// Owned by whoever is flushing.
	last    int64           // the page's cursor: newest position of the room sent
	newest  int64           // newest message id the page has
	unread  map[int64]int   // the person's other rooms, for the sidebar…
	counted map[int64]int64 // …counted up to these message ids

	// mentions counts the other rooms' unread messages that mention the
	// person, for the sidebar too (see mentions.go). Owned by the flusher.
	mentions map[int64]int

	closeCode atomic.Int32 // the code the server closed with, if it did
	lastSent  atomic.Int64 // newest, for the read marks
	marking   atomic.Bool  // a read mark is scheduled (see markSoon)
}

// log returns a logger that says which socket speaks. It is made when
// needed, not kept: ten thousand idle sockets need no loggers.
func (s *socket) log() *slog.Logger {
	return s.logs.With("room", s.room, "user", s.user.Username, "ip", s.ip)
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
		return echo.NewHTTPError(http.StatusUnauthorized, "error.sign-in-first")
	}
	room, err := h.memberRoom(c)
	if err != nil {
		return err
	}
	// ?after is the page's cursor, the newest position it has seen;
	// ?newest its newest message's id (a page from before positions sent
	// only ?after, its newest id, which then was its position too).
	var after int64 = -1 // no ?after: live events only, no replay
	if s := r.URL.Query().Get("after"); s != "" {
		pos, err := strconv.ParseInt(s, 10, 64)
		if err != nil || pos < 0 {
			return echo.NewHTTPError(http.StatusBadRequest, "error.bad-after")
		}
		after = pos
	}
	newest := max(after, 0)
	if s := r.URL.Query().Get("newest"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 0 {
			return echo.NewHTTPError(http.StatusBadRequest, "error.bad-after")
		}
		newest = id
	}
	conn, err := websocket.Accept(lean(c.Response()), r, &websocket.AcceptOptions{OriginPatterns: h.OriginPatterns})
	if err != nil {
		// Accept has answered (403 for a foreign Origin).
		h.Log.Warn("websocket refused", "err", clipErr(err.Error()), "origin", clip(r.Header.Get("Origin")))
		return nil
	}
	// Our own limit (maxFrame) decides, with a policy-violation close;
	// the library's must not fire first.
	conn.SetReadLimit(maxFrame + 1)

	s := &socket{
		conn:     conn,
		user:     u,
		room:     room.ID,
		csrf:     csrfToken(c),
		lang:     langOf(c),
		ip:       c.RealIP(),
		logs:     h.Log,
		flushing: true, // until the replay is done
		last:     after,
		newest:   newest,
	}
	// Registered before the person's rooms are read: a change of them from
	// now on closes this socket (refreshSockets), so the list read next
	// cannot go stale unnoticed.
	if !h.sockets.add(s, h.maxSockets()) {
		conn.Close(websocket.StatusServiceRestart, errRestart.Error())
		return nil
	}
	rooms, err := h.Store.Rooms(r.Context(), u.ID)
	if err != nil || !slices.ContainsFunc(rooms, func(rs chat.RoomSummary) bool { return rs.ID == room.ID }) {
		// Unreadable, or the person left the room since it was checked.
		h.sockets.remove(s)
		switch {
		case clientGone(r.Context(), err):
			s.log().Info("websocket client left during the handshake", "err", err)
		case err != nil:
			s.log().Error("websocket rooms", "err", err)
		}
		conn.Close(websocket.StatusTryAgainLater, "could not read rooms")
		return nil
	}
	s.log().Info("websocket connect", "after", after)
	s.rooms = presenceRooms(rooms)
	// Online from now on, in all the person's rooms: told before this
	// socket subscribes, which need not hear it (the replay's list of who
	// is online, read after, has this person already).
	h.joinPresence(u, s.rooms)
	// The subscription exists before the replay and the unread counts are
	// read, so a message committed meanwhile is either read or queued (or
	// both: then its id is at most what was read, and it is skipped).
	s.sub = h.Hub.Subscribe(subscribedRooms(rooms), sendQueue, hub.Hooks{
		Notify: func() { h.kick(s) },
		Lag:    func() { s.close(websocket.StatusTryAgainLater, "too slow: reconnect to catch up") },
	})
	start := time.Now()
	h.watchPeer(s)
	go h.readLoop(s, start)
	defer h.survive(s)

	if err := h.replay(r.Context(), s); err != nil {
		switch {
		case errors.Is(err, errWrite):
		case clientGone(r.Context(), err):
			s.log().Info("websocket client left during the replay", "err", err)
		default:
			s.log().Error("replay", "err", err)
		}
		s.close(websocket.StatusTryAgainLater, "could not read history")
		return nil
	}
	// The replay is written: this goroutine writes what queued up
	// meanwhile, then returns, leaving the reader alone with the socket.
	h.flush(s)
	return nil
}

func subscribedRooms(rooms []chat.RoomSummary) []int64 {
	ids := make([]int64, len(rooms))
	for i, rs := range rooms {
		ids[i] = rs.ID
	}
	return ids
}

// replay sends the sidebar as it is now (after a reconnect, say because
// the person was added to a room, the page's copy may be out of date), who
// is online, the room's topic, then the room's messages changed after
// s.last as they are now.
// Presence is written here, before anything queued: a person coming or
// going meanwhile is queued and applied on top of it.
func (h *Handler) replay(ctx context.Context, s *socket) error {
	rooms, err := h.Store.Rooms(ctx, s.user.ID)
	if err != nil {
		return err
	}
	if err := h.countMentions(ctx, s.user, rooms); err != nil {
		return err
	}
	for i, rs := range rooms {
		if rs.ID == s.room {
			rooms[i].Unread, rooms[i].Mentions = 0, 0 // what the page is about to be shown
			continue
		}
		// Made for the first other room, so that an idle socket with one
		// room keeps no maps. (Not by counting rooms: this list may lack
		// s.room, left since it was checked.)
		if s.unread == nil {
			s.unread = make(map[int64]int, len(rooms))
			s.mentions = make(map[int64]int, len(rooms))
			s.counted = make(map[int64]int64, len(rooms))
		}
		s.unread[rs.ID], s.counted[rs.ID] = rs.Unread, rs.Newest
		s.mentions[rs.ID] = rs.Mentions
	}
	if err := h.write(s, renderIn(s.langCtx(), views.RoomListUpdate(rooms, s.room)), h.presenceNow(s, rooms), topicNow(s, rooms)); err != nil {
		return errWrite
	}
	if s.last < 0 {
		return nil // live messages only
	}
	if missed, err := h.Store.CountChangedAfter(ctx, s.room, s.last, maxReplay+1); err != nil {
		return err
	} else if missed > maxReplay {
		// The page reloads and shows the newest page; until it goes, it
		// gets live messages like any other (harmless, and it may still
		// have messages of its own to send on this socket).
		s.log().Info("websocket missed too much: page told to reload", "after", s.last)
		h.Observe.replayed(-1)
		if err := h.write(s, renderBytes(views.ReloadPage())); err != nil {
			return errWrite
		}
		return nil
	}
	// At most maxReplay: what was counted. Messages committed since come
	// through the subscription, which is older than the count.
	sent := 0
	for sent < maxReplay {
		limit := min(replayPage, maxReplay-sent)
		msgs, err := h.Store.ChangedAfter(ctx, s.room, s.last, limit)
		if err != nil {
			return err
		}
		if len(msgs) == 0 {
			break
		}
		if err := h.write(s, renderBytes(views.ReplayFrame(msgs, s.newest))); err != nil {
			return errWrite
		}
		s.last = msgs[len(msgs)-1].Pos
		for _, m := range msgs {
			s.newest = max(s.newest, m.ID)
		}
		sent += len(msgs)
		if len(msgs) < limit {
			break
		}
	}
	s.lastSent.Store(s.newest)
	h.Observe.replayed(sent)
	return nil
}

// topicNow is s's room's topic line as it is now: a change made while the
// page's socket was away replaces the page's copy.
func topicNow(s *socket, rooms []chat.RoomSummary) []byte {
	for _, r := range rooms {
		if r.ID == s.room {
			return renderBytes(views.TopicUpdate(r.Room))
		}
	}
	return nil
}

// presenceNow renders who is online in s's room, and in each of the
// person's direct conversations whether its other person is: for s alone,
// in its reader's language (the list's label).
func (h *Handler) presenceNow(s *socket, rooms []chat.RoomSummary) []byte {
	// The list is kept and shared by every socket of the room: clipped,
	// the appends below copy it instead of writing into it.
	frame := slices.Clip(h.onlineListFrame(s.room, s.lang))
	for _, r := range rooms {
		if r.Kind == chat.Direct {
			frame = append(frame, renderBytes(views.DirectOnline(r.ID, r.Peer, h.peerOnline(r.ID, s.user.ID)))...)
		}
	}
	return frame
}

// close ends the socket with code (after a close handshake, or lagGrace
// later without one: a client too stuck to read cannot answer). It does
// not wait.
func (s *socket) close(code websocket.StatusCode, reason string) {
	if !s.closeCode.CompareAndSwap(0, int32(code)) {
		return // closing already
	}
	go s.conn.Close(code, reason)
	time.AfterFunc(lagGrace, func() { s.conn.CloseNow() })
}

// readLoop takes the client's frames one at a time, so that a person's
// messages are stored in the order they were sent, until the connection
// ends; then it cleans up after the socket.
func (h *Handler) readLoop(s *socket, start time.Time) {
	err := h.readSafely(s)
	s.conn.CloseNow()
	s.stopPinging()
	s.sub.Close()
	h.leavePresence(s.user, s.rooms)
	h.markRead(s) // before remove: shutdown waits for it (see CloseSockets)
	h.sockets.remove(s)
	code := websocket.StatusCode(s.closeCode.Load())
	if code == 0 {
		code = websocket.CloseStatus(err)
	}
	s.log().Info("websocket disconnect", "code", int(code), "duration", time.Since(start).Round(time.Millisecond))
}

func (h *Handler) read(s *socket) error {
	for {
		// No deadline: an idle page may stay open for days. The read ends
		// when the connection closes, whoever closes it.
		typ, r, err := s.conn.Reader(context.Background())
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(r, maxFrame+1))
		if err != nil {
			return err
		}
		var f upFrame
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
			s.log().Warn("websocket policy violation", "err", err, "bytes", len(data))
			s.closeCode.Store(int32(websocket.StatusPolicyViolation))
			s.conn.Close(websocket.StatusPolicyViolation, err.Error())
			return err
		}
		if err := h.dispatch(s, f); err != nil {
			s.log().Warn("websocket policy violation", "err", err)
			s.closeCode.Store(int32(websocket.StatusPolicyViolation))
			s.conn.Close(websocket.StatusPolicyViolation, err.Error())
			return err
		}
	}
}

// dispatch hands a frame to what its kind asks for. Every kind is allowed
// to any member of the room (the socket's person is one, checked at the
// handshake, and a change of membership closes the socket); what is
// allowed on a particular message is the writer's business (db.Writer).
func (h *Handler) dispatch(s *socket, f upFrame) error {
	switch f.Kind {
	case "", kindMessage:
		h.receive(s, f)
	case kindEdit:
		h.changeBySocket(s, chat.Edit, f)
	case kindDelete:
		h.changeBySocket(s, chat.Delete, f)
	case kindReact:
		h.changeBySocket(s, chat.React, f)
	case kindTyping:
		h.typing(s)
	default:
		return errors.New("unknown kind of frame")
	}
	return nil
}

// typing tells the room that s's person is typing, at most once every
// typingEvery: more is dropped without a word, as a page sends no more.
func (h *Handler) typing(s *socket) {
	if !allow(h.limits.typing, strconv.FormatInt(s.user.ID, 10)) {
		return
	}
	h.Hub.Publish(hub.Event{Kind: hub.Typing, Room: s.room, Frame: renderBytes(views.Typing(s.user))})
}

// changeBySocket makes a change that a page sent, within the person's send
// limit (changes flood a room as messages do). Everyone, the sender too,
// sees it through the room; the sender alone hears of a problem.
func (h *Handler) changeBySocket(s *socket, kind chat.Change, f upFrame) {
	id, perr := strconv.ParseInt(f.ID, 10, 64)
	err := errSlowDown
	if perr != nil || id <= 0 {
		err = db.ErrNoMessage
	} else if h.awaitSendToken(s) {
		ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
		_, err = h.change(ctx, s.user, s.room, kind, id, f.Body, f.Emoji)
		cancel()
	}
	if err == nil {
		h.reply(s, views.Notice(""))
		return
	}
	status, problem := changeProblem(s.langCtx(), err)
	if status >= 500 {
		s.log().Warn("change failed", "err", err)
	}
	h.reply(s, views.Notice(problem))
}

// receive stores one message and answers the sender when there is something
// to say to it alone. A new message reaches the sender, like everyone else,
// through the room (db.Writer publishes it after commit).
func (h *Handler) receive(s *socket, f upFrame) {
	var st db.Stored
	err := errSlowDown
	if h.awaitSendToken(s) {
		ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
		st, err = h.post(ctx, s.user, s.room, f.Key, f.Body)
		cancel()
	}
	switch {
	case err == nil && st.Created:
		return
	case err == nil:
		// A resend of a stored message: confirm it to this page only.
		h.reply(s, views.MessagesFrame([]chat.Message{st.Message}))
	case errors.Is(err, db.ErrEmpty):
		if db.ValidKey(f.Key) {
			h.reply(s, views.DeletePending(f.Key))
		}
	default:
		if !db.ValidKey(f.Key) {
			f.Key = newKey() // still give the text back
		}
		status, problem := sendProblem(s.langCtx(), err)
		if status >= 500 {
			s.log().Warn("send failed", "err", err)
		}
		h.reply(s, views.FailedMessage(s.room, f.Key, f.Body, problem, s.csrf))
	}
}

// markReadDelay is how soon after a page is shown new messages its read
// mark goes to the writer. Marking while the page is open, not only when
// it closes, keeps the counts of a page opened next right: a click to
// another room loads that page before the browser closes this one's
// socket. The delay gathers a busy room's messages into one mark a
// socket, which the writer gathers again into one statement a round.
const markReadDelay = 250 * time.Millisecond

// markSoon hands s's read mark to the writer markReadDelay from now,
// unless one is scheduled already.
func (h *Handler) markSoon(s *socket) {
	if s.marking.CompareAndSwap(false, true) {
		time.AfterFunc(markReadDelay, func() {
			s.marking.Store(false)
			h.markRead(s)
		})
	}
}

// markRead hands what the page was shown to the writer, for the unread
// counts.
func (h *Handler) markRead(s *socket) {
	if last := s.lastSent.Load(); last > 0 {
		h.Poster.MarkRead(s.room, s.user.ID, last)
	}
}
