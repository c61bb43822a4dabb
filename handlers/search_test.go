package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

// hitRe finds a results page's hits: the message id and its room.
var hitRe = regexp.MustCompile(`<li class="hit" data-id="(\d+)"><a href="/rooms/(\d+)\?at=(\d+)#msg-(\d+)"`)

type found struct{ id, room int64 }

// search runs a search as p and returns the hits, newest first.
func (p *person) search(q string) ([]found, string) {
	p.t.Helper()
	page := p.get("/search?q=" + url.QueryEscape(q))
	var out []found
	for _, m := range hitRe.FindAllStringSubmatch(page, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		room, _ := strconv.ParseInt(m[2], 10, 64)
		if m[3] != m[1] || m[4] != m[1] {
			p.t.Fatalf("hit %s links to message %s#%s", m[1], m[3], m[4])
		}
		out = append(out, found{id, room})
	}
	return out, page
}

// say sends body to room over the plain form, as p.
func (p *person) say(room int64, body string) {
	p.t.Helper()
	resp, page := p.post(fmt.Sprintf("/rooms/%d/messages", room), url.Values{"_csrf": {p.csrf}, "key": {nextKey()}, "body": {body}})
	if resp.StatusCode != http.StatusSeeOther {
		p.t.Fatalf("%s says %q in room %d: %d\n%s", p.name, body, room, resp.StatusCode, page)
	}
}

// newRoom creates a room as p and returns its id.
func (p *person) newRoom(name, kind string) int64 {
	p.t.Helper()
	resp, page := p.post("/rooms", url.Values{"_csrf": {p.csrf}, "name": {name}, "kind": {kind}})
	loc := resp.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/rooms/"), 10, 64)
	if resp.StatusCode != http.StatusSeeOther || err != nil {
		p.t.Fatalf("create room %s: %d %s\n%s", name, resp.StatusCode, loc, page)
	}
	return id
}

func rooms(hits []found) []int64 {
	var out []int64
	for _, h := range hits {
		if !slices.Contains(out, h.room) {
			out = append(out, h.room)
		}
	}
	slices.Sort(out)
	return out
}

// TestSearchFindsOnlyWhatThePersonMayRead: on both backends (FTS5 on a
// file, the like index on tursodb), a search covers the rooms the person
// is a member of, and nothing else: not a private room or a direct
// conversation of others, not a public room they have not joined (its
// page shows them only "join"), not a private room they were removed
// from; the link to a hit opens its room around it, and a hit's room that
// the person left answers 404 as any private room does.
func TestSearchFindsOnlyWhatThePersonMayRead(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		ana, bea, cruz := srv.visit(t), srv.visit(t), srv.visit(t)
		general := db.GeneralRoom
		secret := ana.newRoom("secreto-"+ana.name, "private")
		if resp, _ := ana.post(fmt.Sprintf("/rooms/%d/members", secret), url.Values{"_csrf": {ana.csrf}, "username": {bea.name}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add bea: %d", resp.StatusCode)
		}
		open := cruz.newRoom("abierta-"+cruz.name, "public")
		resp, _ := ana.post("/direct", url.Values{"_csrf": {ana.csrf}, "username": {cruz.name}})
		direct, _ := strconv.ParseInt(strings.TrimPrefix(resp.Header.Get("Location"), "/rooms/"), 10, 64)

		ana.say(general, "una aguja en general")
		ana.say(secret, "la aguja secreta")
		cruz.say(open, "Agujas públicas")
		ana.say(direct, "AGUJA directa")
		bea.say(general, "nada que ver")

		check := func(p *person, want ...int64) []found {
			t.Helper()
			hits, page := p.search("águja")
			slices.Sort(want)
			if got := rooms(hits); !slices.Equal(got, want) {
				t.Errorf("%s finds aguja in rooms %v, want %v\n%s", p.name, got, want, page)
			}
			return hits
		}
		check(ana, general, secret, direct)
		hits := check(bea, general, secret)
		check(cruz, general, open, direct)

		// Joining the public room makes it searchable, as it makes it readable.
		if resp, _ := ana.post(fmt.Sprintf("/rooms/%d/join", open), url.Values{"_csrf": {ana.csrf}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("join: %d", resp.StatusCode)
		}
		check(ana, general, secret, direct, open)

		// The link opens the room around the message, which is on the page.
		var inSecret found
		for _, h := range hits {
			if h.room == secret {
				inSecret = h
			}
		}
		page := bea.get(fmt.Sprintf("/rooms/%d?at=%d", secret, inSecret.id))
		if !strings.Contains(page, fmt.Sprintf(`id="msg-%d"`, inSecret.id)) {
			t.Errorf("the page at message %d does not show it:\n%s", inSecret.id, page)
		}

		// Removed from the private room (as a removal does: the
		// membership ends), bea finds nothing there, and its link is 404.
		if err := store.Leave(context.Background(), secret, bea.id(t)); err != nil {
			t.Fatal(err)
		}
		check(bea, general)
		if status, _ := bea.getStatus(fmt.Sprintf("/rooms/%d?at=%d", secret, inSecret.id)); status != http.StatusNotFound {
			t.Errorf("bea, removed, opens a secret message's link: %d, want 404", status)
		}
		// Leaving a room ends its search too.
		if resp, _ := cruz.post(fmt.Sprintf("/rooms/%d/leave", open), url.Values{"_csrf": {cruz.csrf}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("leave: %d", resp.StatusCode)
		}
		check(cruz, general, direct)

		// Signed out: no search at all.
		if status, _ := srv.stranger(t).getStatus("/search?q=aguja"); status != http.StatusSeeOther {
			t.Errorf("a stranger's search: %d, want 303 to sign in", status)
		}
	})
}

// id returns p's user id.
func (p *person) id(t *testing.T) int64 {
	t.Helper()
	u, _, err := p.srv.store.UserByName(context.Background(), p.name)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestSearchResultsAreMarkedEscapedAndPaged: a hit shows its message with
// the words found in <mark>, everything else escaped; results come newest
// first, a page at a time; an overlong query is cut, not refused.
func TestSearchResultsAreMarkedEscapedAndPaged(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		ana := srv.visit(t)
		ana.say(db.GeneralRoom, `<script>alert("Aguja")</script> & <b>agujero</b>`)
		_, page := ana.search("aguj")
		want := `&lt;script&gt;alert(&#34;<mark>Aguja</mark>&#34;)&lt;/script&gt; &amp; &lt;b&gt;<mark>agujero</mark>&lt;/b&gt;`
		if !strings.Contains(page, want) {
			t.Errorf("hit not marked and escaped as %s:\n%s", want, page)
		}
		if strings.Contains(page, "<script>alert") || strings.Contains(page, "<b>agujero") {
			t.Errorf("a message's markup reached the page unescaped")
		}

		n := db.SearchPageSize + 5
		for i := range n {
			ana.say(db.GeneralRoom, fmt.Sprintf("página %d", i))
		}
		first, page := ana.search("pagina")
		if len(first) != db.SearchPageSize {
			t.Fatalf("first page: %d hits, want %d", len(first), db.SearchPageSize)
		}
		for i := 1; i < len(first); i++ {
			if first[i].id >= first[i-1].id {
				t.Fatalf("hits not newest first: %v", first)
			}
		}
		more := regexp.MustCompile(`href="(/search\?q=pagina&amp;before=\d+)"`).FindStringSubmatch(page)
		if more == nil {
			t.Fatalf("no link to older results:\n%s", page)
		}
		older := ana.get(strings.ReplaceAll(more[1], "&amp;", "&"))
		if got := len(hitRe.FindAllString(older, -1)); got != n-db.SearchPageSize {
			t.Errorf("second page: %d hits, want %d", got, n-db.SearchPageSize)
		}
		if strings.Contains(older, "Older results") {
			t.Errorf("the last page links to more")
		}

		// The oldest hit is not on the room's live page any more (a page
		// of 50 and more came after it), but its link shows it, in an
		// archive page that goes on after it.
		for range db.PageSize {
			ana.say(db.GeneralRoom, "relleno")
		}
		hits, _ := ana.search("agujero")
		if len(hits) != 1 {
			t.Fatalf("agujero: %d hits, want 1", len(hits))
		}
		target := fmt.Sprintf(`id="msg-%d"`, hits[0].id)
		if live := ana.get("/rooms/1"); strings.Contains(live, target) {
			t.Fatalf("the live page still holds message %d: the test needs more after it", hits[0].id)
		}
		at := ana.get(fmt.Sprintf("/rooms/1?at=%d", hits[0].id))
		if !strings.Contains(at, target) || !strings.Contains(at, fmt.Sprintf(`id="msg-%d"`, hits[0].id+1)) || !strings.Contains(at, "Back to the live conversation") {
			t.Errorf("the page at message %d does not show it and what came after it, as an archive page:\n%s", hits[0].id, at)
		}

		if status, _ := ana.getStatus("/search?q=" + url.QueryEscape(strings.Repeat("pagina ", 2000))); status != http.StatusOK {
			t.Errorf("an overlong query: %d, want 200 (cut to %d characters)", status, 100)
		}
	})
}

// TestSearchIsRateLimited: a person may search in bursts of 10, then 2 a
// second; past that, 429 with Retry-After, and other people still search.
func TestSearchIsRateLimited(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	ana, bea := srv.visit(t), srv.visit(t)
	limited := 0
	for i := range 60 {
		resp, err := ana.client.Get(srv.URL + "/search?q=hola")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			limited++
			if resp.Header.Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After")
			}
		case resp.StatusCode != http.StatusOK:
			t.Fatalf("search %d: %d", i, resp.StatusCode)
		}
		if i < 10 && limited > 0 {
			t.Fatalf("search %d of the first burst of 10 refused", i)
		}
	}
	// 60 searches at once: only a machine taking 25 s over them would
	// refill enough for all.
	if limited == 0 {
		t.Errorf("none of 60 quick searches refused")
	}
	if status, _ := bea.getStatus("/search?q=hola"); status != http.StatusOK {
		t.Errorf("someone else's search: %d, want 200", status)
	}
}

// TestSearchFollowsEditsAndDeletes: on both backends, a message edited
// through its form is found by its new words and not its old ones, and a
// deleted one is not found at all.
func TestSearchFollowsEditsAndDeletes(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		ana := srv.visit(t)
		ana.say(db.GeneralRoom, "una aguja vieja")
		hits, _ := ana.search("aguja")
		if len(hits) != 1 {
			t.Fatalf("aguja: %d hits, want 1", len(hits))
		}
		id := hits[0].id
		change := func(what string, form url.Values) {
			t.Helper()
			form.Set("_csrf", ana.csrf)
			resp, page := ana.post(fmt.Sprintf("/rooms/%d/messages/%d/%s", db.GeneralRoom, id, what), form)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s message %d: %d\n%s", what, id, resp.StatusCode, page)
			}
		}
		count := func(q string) int {
			t.Helper()
			hits, _ := ana.search(q)
			return len(hits)
		}
		change("edit", url.Values{"body": {"un hilo nuevo"}})
		if a, h := count("aguja"), count("hilo"); a != 0 || h != 1 {
			t.Errorf("after the edit: aguja %d hits (want 0), hilo %d (want 1)", a, h)
		}
		change("delete", url.Values{})
		if h := count("hilo"); h != 0 {
			t.Errorf("after the delete: hilo %d hits, want 0", h)
		}
	})
}
