package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/charla/charla/handlers"
	"github.com/charla/charla/hub"
	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"
)

// server is charla's handlers on a real store, behind httptest.
type server struct {
	*httptest.Server
	store   *db.Store
	handler *handlers.Handler
}

func newServer(t *testing.T, store *db.Store) *server {
	t.Helper()
	return newServerWith(t, store, handlers.Config{})
}

// newServerWith runs the handlers with cfg's settings (Signup, SendRate…);
// tune, if given, adjusts the test server before it starts.
func newServerWith(t *testing.T, store *db.Store, cfg handlers.Config, tune ...func(*httptest.Server)) *server {
	t.Helper()
	rooms := hub.New()
	writer := db.NewWriter(store, handlers.Publisher(rooms), nil)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { writer.Run(ctx) })
	if cfg.Store == nil { // else a wrapper of store that injects a fault
		cfg.Store = store
	}
	cfg.Poster, cfg.Hub = writer, rooms
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg.Secret = []byte("test-secret-test-secret-test-secret")
	h := handlers.New(cfg)
	e := echo.New()
	h.Register(e)
	srv := httptest.NewUnstartedServer(e)
	for _, f := range tune {
		f(srv)
	}
	srv.Start()
	t.Cleanup(func() {
		srv.CloseClientConnections()
		h.CloseSockets(context.Background())
		srv.Close()
		cancel()
		wg.Wait()
	})
	return &server{Server: srv, store: store, handler: h}
}

// person is a browser: a cookie jar (session, CSRF), an account, and the
// room it is looking at.
type person struct {
	t      *testing.T
	srv    *server
	client *http.Client
	csrf   string
	name   string
	room   int64
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

var userSeq struct {
	sync.Mutex
	n int
}

// visit signs up a new person, who lands in #general, as a browser would.
func (s *server) visit(t *testing.T) *person {
	t.Helper()
	userSeq.Lock()
	userSeq.n++
	name := fmt.Sprintf("user%03d", userSeq.n)
	userSeq.Unlock()
	p := s.stranger(t)
	form := url.Values{"_csrf": {p.csrf}, "username": {name}, "password": {"correct horse battery"}}
	resp, body := p.post("/signup", form)
	// A loaded machine (the race detector, browsers in other packages) can
	// keep every hashing slot busy past its wait: the server answers 503
	// "busy", and a person presses again, as this does.
	for try := 0; resp.StatusCode == http.StatusServiceUnavailable && try < 5; try++ {
		time.Sleep(time.Second)
		resp, body = p.post("/signup", form)
	}
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign up %s: status %d\n%s", name, resp.StatusCode, body)
	}
	p.name = name
	p.enter(db.GeneralRoom)
	return p
}

// stranger is a browser that has not signed in, holding a CSRF token.
func (s *server) stranger(t *testing.T) *person {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	p := &person{t: t, srv: s, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	p.csrf = csrfRe.FindStringSubmatch(p.get("/signin"))[1]
	return p
}

// enter opens a room's page, which the person's sockets then connect to.
func (p *person) enter(room int64) string {
	p.t.Helper()
	p.room = room
	page := p.get(fmt.Sprintf("/rooms/%d", room))
	p.csrf = csrfRe.FindStringSubmatch(page)[1]
	return page
}

func (p *person) get(path string) string {
	p.t.Helper()
	status, body := p.getStatus(path)
	if status != 200 {
		p.t.Fatalf("GET %s: %d %s", path, status, body)
	}
	return body
}

func (p *person) getStatus(path string) (int, string) {
	p.t.Helper()
	resp, err := p.client.Get(p.srv.URL + path)
	if err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (p *person) post(path string, form url.Values) (*http.Response, string) {
	p.t.Helper()
	resp, err := p.client.PostForm(p.srv.URL+path, form)
	if err != nil {
		p.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// socket is a WebSocket client speaking what hx-ws speaks.
type socket struct {
	t    *testing.T
	conn *websocket.Conn
	mu   sync.Mutex
	key  int
	who  string
}

func (p *person) dial(after int64) *socket {
	p.t.Helper()
	conn, err := p.dialErr(after, p.srv.URL)
	if err != nil {
		p.t.Fatalf("dial: %v", err)
	}
	return &socket{t: p.t, conn: conn, who: p.name}
}

func (p *person) dialErr(after int64, origin string) (*websocket.Conn, error) {
	query := "" // live messages only
	if after >= 0 {
		query = "?after=" + strconv.FormatInt(after, 10)
	}
	return p.dialQuery(query, origin)
}

// dialAt opens a socket as a page whose cursor is after and whose newest
// message is newest.
func (p *person) dialAt(after, newest int64) *socket {
	p.t.Helper()
	conn, err := p.dialQuery(fmt.Sprintf("?after=%d&newest=%d", after, newest), p.srv.URL)
	if err != nil {
		p.t.Fatalf("dial: %v", err)
	}
	return &socket{t: p.t, conn: conn, who: p.name}
}

func (p *person) dialQuery(query, origin string) (*websocket.Conn, error) {
	conn, _, err := p.dialFirst(query, origin)
	return conn, err
}

// dialFirst is dialQuery, and returns the socket's first frame too: the
// sidebar's room list and who is online.
func (p *person) dialFirst(query, origin string) (*websocket.Conn, string, error) {
	u, _ := url.Parse(p.srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	target := fmt.Sprintf("ws://%s/rooms/%d/ws", u.Host, p.room) + query
	conn, _, err := websocket.Dial(ctx, target, &websocket.DialOptions{
		HTTPClient: p.client,
		HTTPHeader: http.Header{"Origin": {origin}},
	})
	if err != nil {
		return nil, "", err
	}
	conn.SetReadLimit(1 << 24)
	p.t.Cleanup(func() { conn.CloseNow() })
	// The first frame is always the sidebar's room list.
	_, b, err := conn.Read(ctx)
	if err != nil || !strings.Contains(string(b), `id="rooms"`) {
		return nil, "", fmt.Errorf("first frame: %q, %v; want the room list", b, err)
	}
	return conn, string(b), nil
}

var keySeq struct {
	sync.Mutex
	n int
}

func nextKey() string {
	keySeq.Lock()
	defer keySeq.Unlock()
	keySeq.n++
	return fmt.Sprintf("test-key-%08d", keySeq.n)
}

// send sends the composer's values as hx-ws does, with a fresh key.
func (s *socket) send(body string) string {
	key := nextKey()
	s.sendKey(key, body)
	return key
}

func (s *socket) sendKey(key, body string) {
	s.t.Helper()
	frame, _ := json.Marshal(map[string]any{
		"body": body, "key": key, "_csrf": "x",
		"headers": map[string]string{"HX-Request": "true", "HX-Source": "form#composer"},
	})
	s.sendRaw(frame)
}

func (s *socket) sendRaw(frame []byte) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.conn.Write(ctx, websocket.MessageText, frame); err != nil {
		s.t.Fatalf("send: %v", err)
	}
}

// shown is one message as a frame shows it.
type shown struct {
	ID   int64
	Body string
}

var articleRe = regexp.MustCompile(`(?s)<article id="msg-(\d+)" class="msg[^"]*" data-id="\d+"[^>]*>.*?<p class="body[^"]*">(.*?)</p>.*?</article>`)

// parseMessages returns the messages a frame or page carries, in order.
func parseMessages(frame string) []shown {
	var out []shown
	for _, m := range articleRe.FindAllStringSubmatch(frame, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, shown{ID: id, Body: html.UnescapeString(m[2])})
	}
	return out
}

// presenceRe matches a frame that only says who came online or went.
var presenceRe = regexp.MustCompile(`^(?:<hx-upsert hx-target="#online"[^>]*>.*?</hx-upsert>|<li id="online-\d+" hx-swap-oob="delete"></li>|<span id="dm-online-[^"]*"[^>]*></span>)+$`)

// isPresence reports whether frame only says who came online or went:
// others connecting and leaving, which most tests do not read.
func isPresence(frame string) bool { return presenceRe.MatchString(frame) }

// read returns the next frame that is not presence, failing after timeout.
func (s *socket) read(timeout time.Duration) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		_, b, err := s.conn.Read(ctx)
		if err != nil {
			s.t.Fatalf("read: %v", err)
		}
		if !isPresence(string(b)) {
			return string(b)
		}
	}
}

// collect reads frames until it has n messages, failing after timeout.
func (s *socket) collect(n int, timeout time.Duration) []shown {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var got []shown
	for len(got) < n {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		_, b, err := s.conn.Read(ctx)
		cancel()
		if err != nil {
			s.t.Fatalf("after %d of %d messages: %v", len(got), n, err)
		}
		got = append(got, parseMessages(string(b))...)
	}
	return got
}

// closeStatus reads until the server closes the socket and returns its
// code, or -1 when the connection was cut without one. It fails the test if
// the socket is still open after timeout.
func (s *socket) closeStatus(timeout time.Duration) websocket.StatusCode {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		if _, _, err := s.conn.Read(ctx); err != nil {
			if ctx.Err() != nil {
				s.t.Errorf("socket still open after %v", timeout)
			}
			return websocket.CloseStatus(err)
		}
	}
}

func assertInOrderOnce(t *testing.T, got []shown, wantBodies []string) {
	t.Helper()
	if len(got) != len(wantBodies) {
		t.Fatalf("got %d messages, want %d:\n got %v\nwant %v", len(got), len(wantBodies), got, wantBodies)
	}
	for i := range got {
		if got[i].Body != wantBodies[i] || (i > 0 && got[i].ID <= got[i-1].ID) {
			t.Fatalf("message %d: got %+v, want %q in increasing id order\nall: %v", i, got[i], wantBodies[i], got)
		}
	}
}
