package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

const (
	// connectTimeout bounds one client's page load and handshake.
	connectTimeout = 15 * time.Second
	// readLimit lets a replay frame through: charla sends up to 500
	// missed messages in one frame, over the library's 32 KiB default.
	readLimit = 4 << 20
)

// client is one browser tab: a session, its socket and what it saw.
type client struct {
	room    int
	conn    *websocket.Conn
	session session
	raw     bool
	closing atomic.Bool
	dropped bool          // the server closed the socket before the end
	done    chan struct{} // closed when the read loop has ended
	tally   tally
}

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
func open(ctx context.Context, o options, i int, site *site, transport http.RoundTripper) (*client, error) {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Transport: transport}
	c := &client{room: i % o.rooms, raw: o.raw, done: make(chan struct{})}
	var err error
	if site == nil {
		c.session, err = rawSession(o.targets[i%len(o.targets)], c.room, o.rooms)
	} else {
		jar.SetCookies(site.base, site.account(i))
		c.session, err = join(ctx, hc, site.rooms[c.room])
	}
	if err != nil {
		return nil, err
	}
	c.conn, _, err = websocket.Dial(ctx, c.session.socket, &websocket.DialOptions{
		HTTPClient: hc, // the jar's cookies go with the handshake
		HTTPHeader: http.Header{"Origin": {c.session.origin}},
	})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", c.session.socket, err)
	}
	c.conn.SetReadLimit(readLimit)
	go c.read() // ended by close; run waits on done
	return c, nil
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

// send sends o.rate messages a second for o.duration as sender number
// sender, and returns how many it sent. It starts at a random point of the
// first period, so that senders do not all send in step.
func (c *client) send(ctx context.Context, sender int, o options, runID string) int {
	period := time.Duration(float64(time.Second) / o.rate)
	stop := time.Now().Add(o.duration)
	tick := time.NewTicker(period)
	defer tick.Stop()
	select {
	case <-time.After(rand.N(period)):
	case <-ctx.Done():
		return 0
	}
	n := 0
	for ; time.Now().Before(stop); n++ {
		text := []byte(fmt.Sprintf("load s=%d n=%d t=%d", sender, n, time.Now().UnixNano()))
		if !c.raw {
			key := fmt.Sprintf("%s-%d-%d", runID, sender, n)
			text, _ = json.Marshal(sendFrame{Body: string(text), Key: key, CSRF: c.session.csrf, Headers: composerHeaders})
		}
		if err := c.conn.Write(ctx, websocket.MessageText, text); err != nil {
			break
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return n + 1
		}
	}
	return n
}

// read takes every frame until the socket closes. It must keep up with the
// server, or the server drops it as too slow: one buffer is reused, and
// frames are scanned, not parsed.
func (c *client) read() {
	defer close(c.done)
	var buf bytes.Buffer
	for {
		_, r, err := c.conn.Reader(context.Background())
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		if err != nil {
			c.dropped = !c.closing.Load()
			return
		}
		at := time.Now()
		if c.raw {
			c.tally.record(buf.Bytes(), at)
			continue
		}
		c.tally.take(buf.Bytes(), at)
	}
}

// close ends the socket without a close handshake: thousands of them at
// once should not wait on each other's replies.
func (c *client) close() {
	c.closing.Store(true)
	c.conn.CloseNow()
}
