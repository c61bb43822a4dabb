package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"iter"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charla/charla/chat"
	"github.com/coder/websocket"
)

const (
	// connectTimeout bounds one client's page load and handshake.
	connectTimeout = 15 * time.Second
	// readLimit lets a replay frame through: charla sends up to 500
	// missed messages in one frame, over the library's 32 KiB default.
	readLimit = 4 << 20
	// reconnectDelay and reconnectMaxDelay pace the reconnections after
	// the server closed a socket, as hx-ws does: reconnectDelay × 2^(n−1),
	// ±30 %, at most reconnectMaxDelay (the page's hx-config sets the same).
	reconnectDelay    = 500 * time.Millisecond
	reconnectMaxDelay = 5 * time.Second
)

// client is one browser tab: a session, its socket and what it saw.
//
// Like the page (charla.js and hx-ws), a client whose socket the server
// closes reconnects, asking for the messages after the newest it has seen,
// and sends again, with the same keys, the messages the server has not
// answered: so a run's loss is what a person would lose, not what a
// restart cut off.
type client struct {
	index   int   // the client's number: senders are the first ones
	room    int   // which of the run's rooms
	roomID  int64 // its id on the server (0 with -raw)
	inst    int   // which of the targets it is connected to
	session session
	raw     bool
	hc      *http.Client
	closing atomic.Bool
	done    chan struct{} // closed when the read loop has ended
	tally   tally

	writing sync.Mutex // one writer at a time, so that resends keep their order

	mu         sync.Mutex
	conn       *websocket.Conn // nil while reconnecting
	pending    []pendingMsg    // sent, not yet answered, in send order
	newest     int64           // newest message id seen, for ?newest=
	resentKeys map[string]bool // keys of the messages sent again
	// What a sender may change: its own recent messages (their ids and
	// texts as first sent), and any recent message of the room.
	own    []ownMessage
	recent []int64

	// Only the read loop writes these; run reads them after done.
	drops      int // sockets the server closed before the end
	reconnects int // of which reopened
	resent     int // messages written, unanswered when the socket closed, and sent again
}

// pendingMsg is a message sent and not yet answered: the page shows it as
// pending, and sends it again on reconnect.
type pendingMsg struct {
	key     string
	frame   []byte
	written bool // on a socket that then closed: what resent counts
}

// ownMessage is one of a sender's messages, to edit.
type ownMessage struct {
	id   int64
	text string
	edit int // how many times edited
}

// changeTargets bounds how many recent messages a sender picks a change
// from: changes go to messages still on people's screens.
const changeTargets = 32

// session is what a client needs to take part: the socket its page names,
// the origin the page came from, and the page's CSRF token.
type session struct {
	socket string
	origin string
	csrf   string
}

// open readies client i as a browser tab: a jar with its account's
// cookies, its room's page loaded, the socket the page names dialled, and
// reading started. site is nil with -raw.
func open(ctx context.Context, o options, i int, site *site, transport http.RoundTripper, changes *changeLog) (*client, error) {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Transport: transport}
	c := &client{index: i, room: i % o.rooms, inst: i % len(o.targets), raw: o.raw, hc: hc, done: make(chan struct{})}
	c.tally.inst, c.tally.instances, c.tally.changes = c.inst, len(o.targets), changes
	c.tally.confirmation, c.tally.learn = c.isResent, c.learn
	var err error
	if site == nil {
		c.session, err = rawSession(o.targets[i%len(o.targets)], c.room, o.rooms)
	} else {
		jar.SetCookies(site.base, site.account(i))
		c.session, err = join(ctx, hc, site.rooms[c.room])
		c.roomID = roomID(site.rooms[c.room])
	}
	if err != nil {
		return nil, err
	}
	if u, err := url.Parse(c.session.socket); err == nil {
		// The page's cursor (the room's newest position it shows) and
		// its newest message's id.
		cursor, _ := strconv.ParseInt(u.Query().Get("after"), 10, 64)
		c.tally.pos.start(cursor)
		c.newest, _ = strconv.ParseInt(u.Query().Get("newest"), 10, 64)
	}
	if c.conn, err = c.dial(ctx, c.session.socket); err != nil {
		return nil, err
	}
	go c.read() // ended by close; run waits on done
	return c, nil
}

func (c *client) dial(ctx context.Context, socket string) (*websocket.Conn, error) {
	conn, _, err := websocket.Dial(ctx, socket, &websocket.DialOptions{
		HTTPClient: c.hc, // the jar's cookies go with the handshake
		HTTPHeader: http.Header{"Origin": {c.session.origin}},
	})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", socket, err)
	}
	conn.SetReadLimit(readLimit)
	return conn, nil
}

// join opens a tab on a room the way a browser does: it loads the room's
// page, which names the socket and carries the CSRF token.
func join(ctx context.Context, hc *http.Client, page string) (session, error) {
	pageURL, body, err := get(ctx, hc, page)
	if err != nil {
		return session{}, err
	}
	socket, csrf := attr(body, `hx-ws:connect="`), attr(body, `name="_csrf" value="`)
	if socket == "" || csrf == "" {
		return session{}, fmt.Errorf("GET %s: no hx-ws:connect or _csrf in the page", pageURL)
	}
	wsURL, err := pageURL.Parse(socket)
	if err != nil {
		return session{}, fmt.Errorf("socket URL %q: %w", socket, err)
	}
	wsURL.Scheme = strings.Replace(wsURL.Scheme, "http", "ws", 1)
	return session{socket: wsURL.String(), origin: pageURL.Scheme + "://" + pageURL.Host, csrf: csrf}, nil
}

// rawSession is a charla-limit session: the socket is the target itself,
// its room a query parameter.
func rawSession(target string, r, rooms int) (session, error) {
	u, err := url.Parse(target)
	if err != nil {
		return session{}, err
	}
	origin := strings.Replace(u.Scheme, "ws", "http", 1) + "://" + u.Host
	u.Scheme = strings.Replace(u.Scheme, "http", "ws", 1)
	if rooms > 1 {
		u.RawQuery = "room=" + strconv.Itoa(r)
	}
	return session{socket: u.String(), origin: origin}, nil
}

// attr returns the (unescaped) attribute value that follows prefix in page.
func attr(page []byte, prefix string) string {
	_, rest, ok := bytes.Cut(page, []byte(prefix))
	if !ok {
		return ""
	}
	v, _, ok := bytes.Cut(rest, []byte(`"`))
	if !ok {
		return ""
	}
	return html.UnescapeString(string(v))
}

// sendFrame is what hx-ws sends for the composer (see HTMX4-NOTES.md).
type sendFrame struct {
	Body    string            `json:"body"`
	Key     string            `json:"key"`
	CSRF    string            `json:"_csrf"`
	Headers map[string]string `json:"headers"`
}

var composerHeaders = map[string]string{"HX-Request": "true", "HX-Source": "form#composer", "HX-Target": "form#composer"}

// roomID is the id in a room page's URL (/rooms/ID), or 0.
func roomID(page string) int64 {
	u, err := url.Parse(page)
	if err != nil {
		return 0
	}
	id, _ := strconv.ParseInt(path.Base(u.Path), 10, 64)
	return id
}

// send sends o.rate frames a second for o.duration as sender number
// sender, and returns how many messages and changes it sent. With
// -changes, that share of the frames are changes (see sendChange) rather
// than new messages. It starts at a random point of the first period, so
// that senders do not all send in step. While the socket is down, it goes
// on as a person typing would: the messages wait as pending and go out on
// reconnect.
func (c *client) send(ctx context.Context, sender int, o options, runID string) (n, changes int) {
	period := time.Duration(float64(time.Second) / o.rate)
	stop := time.Now().Add(o.duration)
	tick := time.NewTicker(period)
	defer tick.Stop()
	select {
	case <-time.After(rand.N(period)):
	case <-ctx.Done():
		return 0, 0
	}
	for time.Now().Before(stop) {
		if !c.raw && o.changes > 0 && rand.Float64() < o.changes && c.sendChange(ctx, sender) {
			changes++
		} else {
			c.sendMessage(ctx, sender, n, runID)
			n++
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return n, changes
		}
	}
	return n, changes
}

// sendMessage sends message number n of sender.
func (c *client) sendMessage(ctx context.Context, sender, n int, runID string) {
	{
		text := fmt.Sprintf("load s=%d n=%d t=%d", sender, n, time.Now().UnixNano())
		if c.raw {
			_ = c.conn.Write(ctx, websocket.MessageText, []byte(text)) // a closed socket ends the read loop
			return
		}
		key := fmt.Sprintf("%s-%d-%d", runID, sender, n)
		frame, _ := json.Marshal(sendFrame{Body: text, Key: key, CSRF: c.session.csrf, Headers: composerHeaders})
		c.post(ctx, pendingMsg{key: key, frame: frame})
	}
}

// changeFrame is what the page sends to change a message: an edit of
// one's own (kind "edit", the new body) or a reaction toggled on any
// (kind "react", an emoji of the fixed set); see handlers.upFrame.
type changeFrame struct {
	Kind    string            `json:"kind"`
	ID      string            `json:"id"`
	Body    string            `json:"body,omitempty"`
	Emoji   string            `json:"emoji,omitempty"`
	CSRF    string            `json:"_csrf"`
	Headers map[string]string `json:"headers"`
}

// sendChange sends a change, half the time an edit of one of the sender's
// recent messages and otherwise a reaction toggled on any recent message
// of the room. It reports false, sending nothing, when the client knows no
// message to change yet or its socket is down (a change, unlike a
// message, is not kept to send later).
func (c *client) sendChange(ctx context.Context, sender int) bool {
	f := changeFrame{CSRF: c.session.csrf, Headers: composerHeaders}
	var id int64
	c.mu.Lock()
	if len(c.own) > 0 && (len(c.recent) == 0 || rand.N(2) == 0) {
		m := &c.own[rand.N(len(c.own))]
		m.edit++
		id, f.Kind, f.Body = m.id, "edit", fmt.Sprintf("%s e=%d", m.text, m.edit)
	} else if len(c.recent) > 0 {
		id, f.Kind, f.Emoji = c.recent[rand.N(len(c.recent))], "react", chat.ReactionEmoji[rand.N(len(chat.ReactionEmoji))]
	}
	conn := c.conn
	c.mu.Unlock()
	if id == 0 || conn == nil {
		return false
	}
	f.ID = strconv.FormatInt(id, 10)
	frame, _ := json.Marshal(f)
	c.writing.Lock()
	defer c.writing.Unlock()
	c.tally.changes.sent(id, sender, time.Now())
	if conn.Write(ctx, websocket.MessageText, frame) != nil {
		c.tally.changes.unsent(id)
		return false
	}
	return true
}

// learn hears of a message the client read for the first time: a change
// may go to it, and an edit if the client sent it.
func (c *client) learn(a article, sender int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recent = appendRing(c.recent, a.id)
	if sender == c.index {
		text, _, _ := strings.Cut(string(a.body), " e=")
		c.own = appendRing(c.own, ownMessage{id: a.id, text: text})
	}
}

// appendRing appends v, keeping the last changeTargets.
func appendRing[T any](s []T, v T) []T {
	if len(s) == changeTargets {
		s = append(s[:0], s[1:]...)
	}
	return append(s, v)
}

// isResent says whether key is of a message the client sent again: the
// server confirms such a message to it alone, a repeat that is no
// duplicate.
func (c *client) isResent(key []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.resentKeys[string(key)]
}

// post sends a message, or keeps it pending while the socket is down. A
// failed write needs nothing more: the read loop sees the socket end too,
// reconnects and sends what is pending.
func (c *client) post(ctx context.Context, m pendingMsg) {
	c.writing.Lock()
	defer c.writing.Unlock()
	c.mu.Lock()
	conn := c.conn
	m.written = conn != nil
	c.pending = append(c.pending, m)
	c.mu.Unlock()
	if conn != nil {
		_ = conn.Write(ctx, websocket.MessageText, m.frame)
	}
}

// read takes every frame until the socket closes, and reconnects when the
// server closed it, until the run ends. It must keep up with the server,
// or the server drops it as too slow: one buffer is reused, and frames are
// scanned, not parsed.
func (c *client) read() {
	defer close(c.done)
	var buf bytes.Buffer
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	for {
		_, r, err := conn.Reader(context.Background())
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		if err != nil {
			conn.CloseNow()
			if c.closing.Load() {
				return
			}
			c.drops++
			if c.raw {
				return // charla-limit's frames carry no ids or keys to recover by
			}
			if conn = c.redial(); conn == nil {
				return
			}
			continue
		}
		at := time.Now()
		if c.raw {
			c.tally.record(buf.Bytes(), at)
			continue
		}
		c.tally.take(buf.Bytes(), at)
		c.answered(buf.Bytes())
	}
}

var (
	dataID    = []byte(`data-id="`)
	pendingID = []byte(`id="pending-`)
)

// answered notes the newest message id in a frame, and forgets the pending
// messages it answers: each stored message comes with the deletion of its
// pending copy, and a refused one replaces it, both by the element id
// pending-KEY.
func (c *client) answered(frame []byte) {
	var newest int64
	for v := range attrValues(frame, dataID) {
		if id, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			newest = max(newest, id)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.newest = max(c.newest, newest)
	if len(c.pending) == 0 {
		return
	}
	for key := range attrValues(frame, pendingID) {
		if k := slices.IndexFunc(c.pending, func(m pendingMsg) bool { return m.key == string(key) }); k >= 0 {
			c.pending = slices.Delete(c.pending, k, k+1)
		}
	}
}

// attrValues yields what follows each prefix in frame up to the closing
// quote: the values of one attribute (prefix ends with its opening quote).
func attrValues(frame, prefix []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for rest := frame; ; {
			i := bytes.Index(rest, prefix)
			if i < 0 {
				return
			}
			rest = rest[i+len(prefix):]
			j := bytes.IndexByte(rest, '"')
			if j < 0 || !yield(rest[:j]) {
				return
			}
			rest = rest[j:]
		}
	}
}

// redial reopens the socket, as hx-ws does after a close, with
// ?after=<newest position seen>&newest=<newest message id seen>, then sends the pending messages again with
// their keys, as charla.js does. It returns nil when the run ended first.
func (c *client) redial() *websocket.Conn {
	c.mu.Lock()
	c.conn = nil
	c.mu.Unlock()
	u, err := url.Parse(c.session.socket)
	if err != nil {
		return nil
	}
	for attempt := 1; ; attempt++ {
		delay := min(reconnectDelay<<(attempt-1), reconnectMaxDelay)
		delay += time.Duration((rand.Float64()*2 - 1) * 0.3 * float64(delay))
		time.Sleep(delay)
		if c.closing.Load() {
			return nil
		}
		c.mu.Lock()
		q := u.Query()
		q.Set("after", strconv.FormatInt(c.tally.pos.last, 10)) // the read loop's own: redial runs on it
		q.Set("newest", strconv.FormatInt(c.newest, 10))
		u.RawQuery = q.Encode()
		c.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		conn, err := c.dial(ctx, u.String())
		cancel()
		if err != nil {
			continue
		}
		c.reconnects++
		c.resendOn(conn)
		return conn
	}
}

// resendOn makes conn the client's socket and sends the pending messages on
// it, before any new one.
func (c *client) resendOn(conn *websocket.Conn) {
	c.writing.Lock()
	defer c.writing.Unlock()
	c.mu.Lock()
	c.conn = conn
	pending := slices.Clone(c.pending)
	for i := range c.pending {
		if c.pending[i].written {
			if c.resentKeys == nil {
				c.resentKeys = map[string]bool{}
			}
			c.resentKeys[c.pending[i].key] = true
		}
		c.pending[i].written = true
	}
	c.mu.Unlock()
	if c.closing.Load() { // close may have missed it
		conn.CloseNow()
		return
	}
	for _, m := range pending {
		if conn.Write(context.Background(), websocket.MessageText, m.frame) != nil {
			return
		}
		if m.written {
			c.resent++
		}
	}
}

// close ends the socket without a close handshake: thousands of them at
// once should not wait on each other's replies.
func (c *client) close() {
	c.closing.Store(true)
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn != nil {
		conn.CloseNow()
	}
}
