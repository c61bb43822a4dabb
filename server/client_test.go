package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// visitor is a browser on a server run by Run: a cookie jar (session,
// CSRF) and the token of the last page it saw.
type visitor struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// signUp signs a new person up on the server at addr and opens #general.
func signUp(t *testing.T, addr, name string) *visitor {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	v := &visitor{t: t, base: "http://" + addr, client: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	v.page("/signin")
	form := url.Values{"_csrf": {v.csrf}, "username": {name}, "password": {"correct horse battery"}}
	status, body := v.post("/signup", form)
	for try := 0; status == http.StatusServiceUnavailable && try < 5; try++ { // hashing slots busy on a loaded machine
		time.Sleep(time.Second)
		status, body = v.post("/signup", form)
	}
	if status != http.StatusSeeOther {
		t.Fatalf("sign up %s: %d\n%s", name, status, body)
	}
	v.page("/rooms/1")
	return v
}

// page GETs path, wants 200, and keeps its CSRF token.
func (v *visitor) page(path string) string {
	v.t.Helper()
	resp, err := v.client.Get(v.base + path)
	if err != nil {
		v.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		v.t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, b)
	}
	if m := csrfRe.FindSubmatch(b); m != nil {
		v.csrf = string(m[1])
	}
	return string(b)
}

func (v *visitor) post(path string, form url.Values) (int, string) {
	v.t.Helper()
	resp, err := v.client.PostForm(v.base+path, form)
	if err != nil {
		v.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// send sends body to #general through the plain-HTTP form and returns the
// status (303 or 200 stored, 429 refused by the send limit).
func (v *visitor) send(key, body string) int {
	v.t.Helper()
	status, err := v.trySend(key, body)
	if err != nil {
		v.t.Fatalf("send %s: %v", body, err)
	}
	return status
}

// trySend is send for another goroutine than the test's, which must not
// call t.Fatal.
func (v *visitor) trySend(key, body string) (int, error) {
	resp, err := v.client.PostForm(v.base+"/rooms/1/messages", url.Values{"_csrf": {v.csrf}, "key": {key}, "body": {body}})
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// dial opens #general's socket, replaying what came after message after.
func (v *visitor) dial(after int64) *websocket.Conn {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u, _ := url.Parse(v.base)
	conn, _, err := websocket.Dial(ctx, fmt.Sprintf("ws://%s/rooms/1/ws?after=%d", u.Host, after), &websocket.DialOptions{
		HTTPClient: v.client,
		HTTPHeader: http.Header{"Origin": {v.base}},
	})
	if err != nil {
		v.t.Fatalf("dial: %v", err)
	}
	conn.SetReadLimit(1 << 24)
	v.t.Cleanup(func() { conn.CloseNow() })
	return conn
}

// freeAddr returns a loopback address nothing listens on (yet).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitFor polls cond until it holds, or fails after a generous while.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second) // a loaded machine
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 60s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
