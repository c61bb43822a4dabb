package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/handlers"
	"github.com/coder/websocket"
)

// Every admin route is there for the admin, and answers 404 to everyone
// else, as a page that does not exist would.
func TestAdminRoutesAnswer404ToOthers(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	admin := srv.visit(t)
	member := srv.visit(t)
	target := strconv.FormatInt(userID(t, srv, member.name), 10)
	gets := []string{"/admin/invites", "/admin/people", "/admin/invites/revoke", "/admin/people/" + target + "/deactivate"}
	posts := []string{"/admin/invites", "/admin/invites/revoke", "/admin/people/" + target + "/deactivate", "/admin/people/" + target + "/reactivate"}
	for _, path := range gets {
		if status, body := member.getStatus(path); status != http.StatusNotFound {
			t.Errorf("a member's GET %s: %d, want 404\n%s", path, status, body)
		}
	}
	for _, path := range posts {
		if resp, body := member.post(path, url.Values{"_csrf": {member.csrf}, "id": {"x"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a member's POST %s: %d, want 404\n%s", path, resp.StatusCode, body)
		}
	}
	if n := openInvites(t, srv); n != 0 {
		t.Errorf("a member made %d invites", n)
	}
	// The same routes are there for the admin (so the 404s above are
	// the check, not a missing route).
	for _, path := range gets {
		if status, body := admin.getStatus(path); status != http.StatusOK && status != http.StatusSeeOther {
			t.Errorf("the admin's GET %s: %d\n%s", path, status, body)
		}
	}
	for _, path := range posts {
		if resp, body := admin.post(path, url.Values{"_csrf": {admin.csrf}, "id": {"x"}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("the admin's POST %s: %d, want 303\n%s", path, resp.StatusCode, body)
		}
	}
}

// Making an invite answers with a redirect to the invites page, which
// shows the new link once: reloading it makes no other invite and shows
// the link no more, only its line in the list of open ones.
func TestReloadAfterMakingAnInviteMakesNoOther(t *testing.T) {
	srv := newServerWith(t, dbtest.File(t), handlers.Config{Signup: handlers.SignupInvite})
	admin := srv.visit(t)
	link := makeInvite(t, admin)
	for range 2 {
		page := admin.get("/admin/invites")
		if strings.Contains(page, link) || inviteLinkRe.MatchString(page) {
			t.Fatalf("a reload shows the link again:\n%s", page)
		}
		if !strings.Contains(page, "Revoke") {
			t.Fatalf("the reloaded page does not list the open invite:\n%s", page)
		}
	}
	if n := openInvites(t, srv); n != 1 {
		t.Fatalf("%d open invites after making one and reloading twice, want 1", n)
	}
}

var revokeIDRe = regexp.MustCompile(`name="id" value="([0-9a-f]+)"`)

// A revoked invite's link signs nobody up.
func TestRevokedInviteLinkSignsNobodyUp(t *testing.T) {
	srv := newServerWith(t, dbtest.File(t), handlers.Config{Signup: handlers.SignupInvite})
	admin := srv.visit(t)
	token := inviteLinkRe.FindStringSubmatch(makeInvite(t, admin))[1]
	m := revokeIDRe.FindStringSubmatch(admin.get("/admin/invites"))
	if m == nil {
		t.Fatal("the invites page has no Revoke form")
	}
	resp, body := admin.post("/admin/invites/revoke", url.Values{"_csrf": {admin.csrf}, "id": {m[1]}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/invites" {
		t.Fatalf("revoke: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	if n := openInvites(t, srv); n != 0 {
		t.Fatalf("%d open invites after revoking the only one", n)
	}
	p := srv.stranger(t)
	resp, _ = p.post("/signup", url.Values{"_csrf": {p.csrf}, "invite": {token}, "username": {"too-late"}, "password": {"long enough pw"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign up with a revoked invite: status %d, want 403", resp.StatusCode)
	}
}

// Deactivating someone ends their session (their next request is signed
// out) and closes their sockets; signing in again gets the answer a wrong
// password gets. Reactivated, they sign in again. The admin cannot
// deactivate themselves.
func TestDeactivatedPersonIsSignedOutAndCannotSignIn(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	admin := srv.visit(t)
	bo := srv.visit(t)
	sock := bo.dial(-1)
	id := strconv.FormatInt(userID(t, srv, bo.name), 10)
	admin.get("/admin/people")

	resp, body := admin.post("/admin/people/"+id+"/deactivate", url.Values{"_csrf": {admin.csrf}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/people" {
		t.Fatalf("deactivate: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	if code := sock.closeStatus(5 * time.Second); code != websocket.StatusServiceRestart {
		t.Fatalf("the deactivated person's socket closed with %d, want 1012", code)
	}
	if status, _ := bo.getStatus("/rooms/1"); status != http.StatusSeeOther {
		t.Fatalf("the deactivated person's next page: %d, want 303 to sign in", status)
	}
	if _, err := bo.dialErr(-1, srv.URL); err == nil {
		t.Fatal("the deactivated person opened a socket again")
	}
	if page := admin.get("/admin/people"); !strings.Contains(page, "deactivated") {
		t.Fatalf("the people page does not say who is deactivated:\n%s", page)
	}

	wrongStatus, wrong := signInFresh(t, srv, bo.name, "not the password")
	status, got := signInFresh(t, srv, bo.name, "correct horse battery")
	if status != wrongStatus || problemOf(got) != problemOf(wrong) || problemOf(got) == "" {
		t.Fatalf("a deactivated account's sign-in: %d %q; a wrong password's: %d %q; want the same", status, problemOf(got), wrongStatus, problemOf(wrong))
	}

	resp, body = admin.post("/admin/people/"+strconv.FormatInt(userID(t, srv, admin.name), 10)+"/deactivate", url.Values{"_csrf": {admin.csrf}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "your own account") {
		t.Fatalf("the admin deactivating themselves: %d\n%s", resp.StatusCode, body)
	}
	admin.get("/admin/people") // still signed in

	resp, _ = admin.post("/admin/people/"+id+"/reactivate", url.Values{"_csrf": {admin.csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reactivate: %d", resp.StatusCode)
	}
	if status, _ := signInFresh(t, srv, bo.name, "correct horse battery"); status != http.StatusSeeOther {
		t.Fatalf("a reactivated account's sign-in: %d, want 303", status)
	}
}

var problemRe = regexp.MustCompile(`<p class="problem" role="alert">([^<]*)</p>`)

func problemOf(page string) string {
	if m := problemRe.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

// signInFresh signs in from a new browser.
func signInFresh(t *testing.T, srv *server, name, password string) (int, string) {
	t.Helper()
	resp, body := signIn(srv.stranger(t), name, password)
	return resp.StatusCode, body
}

// makeInvite makes an invite as the admin, follows the redirect, and
// returns the link the page shows once.
func makeInvite(t *testing.T, admin *person) string {
	t.Helper()
	resp, body := admin.post("/admin/invites", url.Values{"_csrf": {admin.csrf}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/invites" {
		t.Fatalf("make an invite: %d %s, want 303 to /admin/invites\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	page := admin.get("/admin/invites")
	m := inviteLinkRe.FindString(page)
	if m == "" {
		t.Fatalf("the invites page after making one shows no link:\n%s", page)
	}
	return m
}

func openInvites(t *testing.T, srv *server) int {
	t.Helper()
	open, err := srv.store.OpenInvites(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(open)
}

// Deactivating and reactivating share the room changes' bucket: a burst,
// then 429 on the people page.
func TestAccountChangesAreRateLimited(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	admin := srv.visit(t)
	bo := srv.visit(t)
	id := strconv.FormatInt(userID(t, srv, bo.name), 10)
	admin.get("/admin/people")
	actions := []string{"deactivate", "reactivate"}
	for i := range handlers.RoomChangeBurst {
		if resp, body := admin.post("/admin/people/"+id+"/"+actions[i%2], url.Values{"_csrf": {admin.csrf}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("change %d: %d\n%s", i+1, resp.StatusCode, body)
		}
	}
	resp, body := admin.post("/admin/people/"+id+"/deactivate", url.Values{"_csrf": {admin.csrf}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "too fast") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("one change past the burst: %d, Retry-After %q\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}
