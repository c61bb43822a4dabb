package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db/dbtest"
)

// A form's problem (a bad or taken room name, an unknown username) is shown
// on the page the person was on, by post/redirect/get: the POST answers
// 303 to that page, which shows the problem once; reloading it is a plain
// 200 page (before, the POST answered the page itself, at the POST's URL,
// and reloading that address said "Method Not Allowed").
func TestFormProblemsRedirectToThePageTheyCameFrom(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	alice := srv.visit(t)
	taken := fmt.Sprintf("taken-%d", time.Now().UnixNano()%1e6)
	private := alice.createRoom(fmt.Sprintf("quiet-%d", time.Now().UnixNano()%1e6), chat.Private)
	createRoom(t, alice, taken, chat.Public)

	for _, tc := range []struct {
		name, path string
		form       url.Values
		back       string // where the 303 goes
		want       string // what that page then says
		keeps      string // the form field that gets what was typed back
	}{
		{"bad room name", "/rooms", url.Values{"name": {"No Good!"}, "kind": {"public"}, "from": {"1"}}, "/rooms/1", "Room names are 2 to 40", `<input name="name" value="No Good!"`},
		{"taken room name", "/rooms", url.Values{"name": {taken}, "kind": {"public"}, "from": {fmt.Sprint(private)}}, fmt.Sprintf("/rooms/%d", private), "That name is not available", `<input name="name" value="" placeholder="new-room"`},
		{"unknown person to talk with", "/direct", url.Values{"username": {"nobody-by-this-name"}, "from": {"1"}}, "/rooms/1", "There is nobody else called nobody-by-this-name.", `<input name="username" value="nobody-by-this-name" placeholder="username" aria-label="Talk with"`},
		{"unknown person to add", fmt.Sprintf("/rooms/%d/members", private), url.Values{"username": {"nobody-by-this-name"}}, fmt.Sprintf("/rooms/%d/members", private), "There is nobody called nobody-by-this-name.", `<input name="username" value="nobody-by-this-name" placeholder="username" aria-label="Add someone`},
		{"from nowhere in particular", "/rooms", url.Values{"name": {"x"}, "kind": {"public"}}, "/", "Room names are 2 to 40", `<input name="name" value="x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("_csrf", alice.csrf)
			resp, body := alice.post(tc.path, tc.form)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || loc != tc.back {
				t.Fatalf("POST %s: %d to %q, want 303 to %q\n%.400s", tc.path, resp.StatusCode, loc, tc.back, body)
			}
			if strings.Contains(loc, "nobody") || strings.Contains(loc, "No Good") {
				t.Errorf("the redirect %q carries what was typed", loc)
			}
			page := followToPage(t, alice, loc)
			if got := problem(page); got != tc.want && !strings.HasPrefix(got, tc.want) {
				t.Errorf("the page after the redirect says %q, want %q", got, tc.want)
			}
			if !strings.Contains(page, tc.keeps) {
				t.Errorf("the page after the redirect lacks %s: what was typed is not given back", tc.keeps)
			}
			// Reloading shows the page again, without the old problem.
			status, again := alice.getStatus(tc.back)
			if tc.back == "/" {
				status, again = alice.getStatus("/rooms/1")
			}
			if status != http.StatusOK || problem(again) != "" {
				t.Errorf("reloading %s: %d, problem %q; want 200 without it", tc.back, status, problem(again))
			}
		})
	}
}

// followToPage GETs path, following redirects (the lobby sends to a room),
// and fails unless it ends in a 200 page.
func followToPage(t *testing.T, p *person, path string) string {
	t.Helper()
	for range 3 {
		resp, err := p.client.Get(p.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			return string(b)
		case http.StatusSeeOther, http.StatusFound:
			path = resp.Header.Get("Location")
		default:
			t.Fatalf("GET %s: %d, want a page\n%.400s", path, resp.StatusCode, b)
		}
	}
	t.Fatalf("GET %s: too many redirects", path)
	return ""
}

// The 404 page says what was not found: a room (that does not exist, or is
// private and not the person's: the same words, so ids cannot be probed),
// or any other address.
func TestNotFoundPagesSayWhatIsMissing(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	owner, outsider := srv.visit(t), srv.visit(t)
	secret, _ := privateRoom(t, owner, "behind-doors")
	noRoom := "No room here: it does not exist, or it is private and you are not in it."
	for _, tc := range []struct{ path, want string }{
		{"/rooms/987654", noRoom},
		{fmt.Sprintf("/rooms/%d", secret), noRoom},
		{"/rooms/not-a-number", noRoom},
		{"/no/such/page", "No page here: nothing lives at this address."},
	} {
		req, _ := http.NewRequest("GET", srv.URL+tc.path, nil)
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		resp, err := outsider.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s: %d, want 404 saying %q\n%.600s", tc.path, resp.StatusCode, tc.want, body)
		}
	}
}

// A form's address opened as a page (from history, the address bar) goes
// to the page the form is on, not to "Method Not Allowed".
func TestFormAddressesOpenedAsPagesGoToTheirPage(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	alice := srv.visit(t)
	for path, want := range map[string]string{
		"/rooms":         "/",
		"/direct":        "/",
		"/rooms/1/join":  "/rooms/1",
		"/rooms/1/topic": "/rooms/1/members",
	} {
		resp, err := alice.client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want 303 to %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
}
