package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/coder/websocket"
)

// A room's member list is for its members: a private room's is a 404 to
// anyone else, word for word the 404 of a room that does not exist (ids
// cannot be probed); a public room's is a 403 until one joins, as its
// messages are; signed out, one is sent to sign in. So are the room's
// other places: the question before leaving, the topic's form.
func TestMemberListIsForTheRoomsReadersOnly(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		owner, outsider := srv.visit(t), srv.visit(t)
		private, _ := privateRoom(t, owner, "secreto")
		public := createRoom(t, owner, "plaza", chat.Public)
		signedOut := srv.stranger(t)

		_, nothing := outsider.getStatus("/rooms/999999/members")
		for _, path := range []string{"/rooms/%d/members", "/rooms/%d/leave"} {
			status, body := outsider.getStatus(fmt.Sprintf(path, private))
			if status != http.StatusNotFound || body != nothing || strings.Contains(body, owner.name) {
				t.Errorf("non-member GET %s: %d, want the 404 of a room that does not exist; owner's name shown: %v\n%.300s",
					fmt.Sprintf(path, private), status, strings.Contains(body, owner.name), body)
			}
			if status, _ := signedOut.getStatus(fmt.Sprintf(path, private)); status != http.StatusSeeOther {
				t.Errorf("signed out GET %s: %d, want 303 to sign in", fmt.Sprintf(path, private), status)
			}
		}
		resp, _ := outsider.post(fmt.Sprintf("/rooms/%d/topic", private), url.Values{"_csrf": {outsider.csrf}, "topic": {"defaced"}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("non-member sets a private room's topic: %d, want 404", resp.StatusCode)
		}
		if status, body := outsider.getStatus(fmt.Sprintf("/rooms/%d/members", public)); status != http.StatusForbidden || strings.Contains(body, `class="members"`) {
			t.Errorf("non-member GET a public room's members: %d, want 403 without the list\n%.300s", status, body)
		}

		// A member sees everyone, each with the ids live presence relies on.
		page := owner.get(fmt.Sprintf("/rooms/%d/members", private))
		if got := memberNames(page); !slices.Equal(got, []string{owner.name}) {
			t.Errorf("members of the private room: %q, want %q", got, []string{owner.name})
		}
		if resp, body := owner.add(private, outsider.name); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/rooms/%d/members", private) {
			t.Fatalf("add: %d to %q, want 303 back to the member list\n%.300s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		page = outsider.get(fmt.Sprintf("/rooms/%d/members", private))
		want := []string{owner.name, outsider.name}
		slices.Sort(want)
		if got := memberNames(page); !slices.Equal(got, want) {
			t.Errorf("members after adding: %q, want %q", got, want)
		}
		for _, name := range want {
			id := userID(t, srv, name)
			li := fmt.Sprintf(`<li id="member-%d-%d" data-user="%d"><span class="presence"`, private, id, id)
			if !strings.Contains(page, li) {
				t.Errorf("the member list lacks %s for %s", li, name)
			}
		}
		// Messaging someone from the list: a form to /direct with their name.
		if !strings.Contains(page, `<input type="hidden" name="username" value="`+owner.name+`">`) {
			t.Errorf("the member list has no Message form for %s", owner.name)
		}
	})
}

var memberNameRe = regexp.MustCompile(`<span class="name">([^<]*)</span>`)

func memberNames(page string) []string {
	var out []string
	for _, m := range memberNameRe.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// Leaving asks first: GET /rooms/{id}/leave is a page with the question
// and a button that posts; only the POST leaves.
func TestLeavingAsksFirst(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p, other := srv.visit(t), srv.visit(t)
	room, _ := privateRoom(t, p, "hideout")

	page := p.get(fmt.Sprintf("/rooms/%d/leave", room))
	for _, want := range []string{
		"<h2 id=\"leave-heading\">Leave #hideout?</h2>",
		"only one of its members can add you back",
		fmt.Sprintf(`<form class="leave" method="post" action="/rooms/%d/leave">`, room),
		fmt.Sprintf(`<a class="stay" href="/rooms/%d">Stay</a>`, room),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the leave page lacks %s\n%.2000s", want, page)
		}
	}
	if strings.Contains(page, "hx-ws:connect") {
		t.Errorf("the leave page opens the room's socket")
	}
	// Still a member after the question.
	if status, _ := p.getStatus(fmt.Sprintf("/rooms/%d", room)); status != http.StatusOK {
		t.Fatalf("after opening the leave page the room answers %d, want 200 (still a member)", status)
	}
	// Someone not in a public room has nothing to leave: to its page.
	public := createRoom(t, p, "open-air", chat.Public)
	if resp, err := other.client.Get(srv.URL + fmt.Sprintf("/rooms/%d/leave", public)); err != nil || resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/rooms/%d", public) {
		t.Errorf("non-member GET a public room's leave page: %v %v, want 303 to the room", resp, err)
	}

	resp, body := p.post(fmt.Sprintf("/rooms/%d/leave", room), url.Values{"_csrf": {p.csrf}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("POST leave: %d to %q\n%.300s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	if status, _ := p.getStatus(fmt.Sprintf("/rooms/%d", room)); status != http.StatusNotFound {
		t.Errorf("after leaving the private room answers %d, want 404", status)
	}
}

// A member sets the topic (post/redirect/get to the member list); it shows
// under the room's name, escaped, on one line; longer than db.MaxTopicLen
// characters it is refused with the old one kept.
func TestTopicIsSetByMembersAndBounded(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p, joiner, outsider := srv.visit(t), srv.visit(t), srv.visit(t)
	room := createRoom(t, p, "design", chat.Public)
	joiner.post(fmt.Sprintf("/rooms/%d/join", room), url.Values{"_csrf": {joiner.csrf}})

	topic := "Phone <b>layout</b>\nand dark theme"
	resp, body := joiner.post(fmt.Sprintf("/rooms/%d/topic", room), url.Values{"_csrf": {joiner.csrf}, "topic": {topic}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/rooms/%d/members", room) {
		t.Fatalf("a member (not the creator) sets the topic: %d to %q, want 303 to the member list\n%.300s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	shown := fmt.Sprintf(`<p id="topic-%d" class="topic" title="Phone &lt;b&gt;layout&lt;/b&gt; and dark theme">Phone &lt;b&gt;layout&lt;/b&gt; and dark theme</p>`, room)
	if page := p.get(fmt.Sprintf("/rooms/%d", room)); !strings.Contains(page, shown) {
		t.Errorf("the room's header lacks %s", shown)
	}

	longest := strings.Repeat("é", db.MaxTopicLen)
	if resp, _ := p.post(fmt.Sprintf("/rooms/%d/topic", room), url.Values{"_csrf": {p.csrf}, "topic": {longest}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a topic of %d characters: %d", db.MaxTopicLen, resp.StatusCode)
	}
	resp, _ = p.post(fmt.Sprintf("/rooms/%d/topic", room), url.Values{"_csrf": {p.csrf}, "topic": {longest + "x"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/rooms/%d/members", room) {
		t.Fatalf("a topic too long: %d to %q, want 303 back to the member list", resp.StatusCode, resp.Header.Get("Location"))
	}
	page := followToPage(t, p, fmt.Sprintf("/rooms/%d/members", room))
	if got, want := problem(page), fmt.Sprintf("A topic is at most %d characters.", db.MaxTopicLen); !strings.HasPrefix(got, want) {
		t.Errorf("after a topic too long the page says %q, want %q…", got, want)
	}
	if !strings.Contains(page, `name="topic" value="`+longest+`"`) || !strings.Contains(page, fmt.Sprintf(`maxlength="%d"`, db.MaxTopicLen)) {
		t.Errorf("the topic form lacks the kept topic or its maxlength")
	}

	// Not a member of the public room: 403, nothing changed.
	if resp, _ := outsider.post(fmt.Sprintf("/rooms/%d/topic", room), url.Values{"_csrf": {outsider.csrf}, "topic": {"defaced"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a non-member sets a public room's topic: %d, want 403", resp.StatusCode)
	}
	if r, _, _ := srv.store.RoomFor(t.Context(), room, 0); r.Topic != longest {
		t.Errorf("the topic is %q, want the longest one kept", r.Topic)
	}
}

// The username fields' suggestions: only signed-in people get them, only
// for two characters or more, at most db.MaxSuggestions, only active
// accounts, never the asker; past the per-person limit the answer is 204
// (htmx keeps what it shows).
func TestUsernameSuggestionsAreBoundedAndActive(t *testing.T) {
	store := dbtest.File(t)
	srv := newServer(t, store)
	asker := srv.visit(t)
	var names []string
	for i := range db.MaxSuggestions + 2 {
		u, err := store.CreateUser(t.Context(), fmt.Sprintf("zed-%02d", i), "hash")
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, u.Username)
		if i == 1 {
			if err := store.DeactivateUser(t.Context(), u.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := slices.Concat(names[:1], names[2:db.MaxSuggestions+1])
	if got := suggestions(t, asker, "zed"); !slices.Equal(got, want) {
		t.Errorf("suggestions for \"zed\": %q, want %q (at most %d, without the deactivated %s)", got, want, db.MaxSuggestions, names[1])
	}
	if got := suggestions(t, asker, "z"); len(got) != 0 {
		t.Errorf("suggestions for one letter: %q, want none", got)
	}
	if got := suggestions(t, asker, asker.name); len(got) != 0 {
		t.Errorf("the asker was suggested: %q", got)
	}
	if status, _ := srv.stranger(t).getStatus("/people?username=zed"); status != http.StatusSeeOther {
		t.Errorf("signed out: %d, want 303 to sign in", status)
	}

	// The limit: a burst, then 204s.
	var limited bool
	for range 60 {
		resp, err := asker.client.Get(srv.URL + "/people?username=zed")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusNoContent {
			limited = true
			break
		}
	}
	if !limited {
		t.Errorf("60 suggestions at once were all answered, want 204 past the limit")
	}
}

var optionRe = regexp.MustCompile(`<option value="([^"]*)"></option>`)

func suggestions(t *testing.T, p *person, typed string) []string {
	t.Helper()
	body := p.get("/people?username=" + url.QueryEscape(typed))
	var out []string
	for _, m := range optionRe.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	if strings.Count(body, "<option") != len(out) {
		t.Fatalf("unexpected markup: %s", body)
	}
	return out
}

// A deactivated account can be neither added to a room nor messaged: the
// forms say there is nobody by that name, as the suggestions leave it out.
func TestDeactivatedAccountsCannotBeAddedOrMessaged(t *testing.T) {
	store := dbtest.File(t)
	srv := newServer(t, store)
	p := srv.visit(t)
	gone, err := store.CreateUser(t.Context(), "gone-away", "hash")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.DeactivateUser(t.Context(), gone.ID); err != nil {
		t.Fatal(err)
	}
	room := createRoom(t, p, "crew", chat.Private)
	resp, _ := p.add(room, gone.Username)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != fmt.Sprintf("/rooms/%d/members", room) {
		t.Fatalf("add a deactivated account: %d to %q", resp.StatusCode, loc)
	}
	if got := problem(followToPage(t, p, fmt.Sprintf("/rooms/%d/members", room))); got != "There is nobody called gone-away." {
		t.Errorf("adding a deactivated account says %q", got)
	}
	if members, _ := store.Members(t.Context(), room); len(members) != 1 {
		t.Errorf("the room has %d members, want 1 (the deactivated account was added)", len(members))
	}
	resp, _ = p.post("/direct", url.Values{"_csrf": {p.csrf}, "username": {gone.Username}, "from": {fmt.Sprint(room)}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != fmt.Sprintf("/rooms/%d", room) {
		t.Fatalf("message a deactivated account: %d to %q, want 303 back to the room", resp.StatusCode, loc)
	}
	if got := problem(followToPage(t, p, fmt.Sprintf("/rooms/%d", room))); got != "There is nobody else called gone-away." {
		t.Errorf("messaging a deactivated account says %q", got)
	}
}

// A topic change reaches the room's open pages at once, escaped, as one
// out-of-band line; a page whose socket was away while it changed gets
// the newest topic when it connects again.
func TestTopicChangeReachesOpenPagesAndReturningOnes(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		ana, bruno := srv.visit(t), srv.visit(t)
		set := func(topic string) {
			t.Helper()
			resp, body := ana.post(fmt.Sprintf("/rooms/%d/topic", db.GeneralRoom), url.Values{"_csrf": {ana.csrf}, "topic": {topic}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("set the topic %q: %d\n%.300s", topic, resp.StatusCode, body)
			}
		}
		line := func(topic string) string {
			return fmt.Sprintf(`<p id="topic-%d" class="topic" title="%s" hx-swap-oob="outerHTML">%[2]s</p>`, db.GeneralRoom, topic)
		}

		b := bruno.dial(-1)
		set("Plan <b>B</b> & more")
		if f := b.until(fmt.Sprintf(`id="topic-%d"`, db.GeneralRoom), 5*time.Second); !strings.Contains(f, line("Plan &lt;b&gt;B&lt;/b&gt; &amp; more")) {
			t.Fatalf("bruno's open page got %q, want %s", f, line("Plan &lt;b&gt;B&lt;/b&gt; &amp; more"))
		}

		b.conn.Close(websocket.StatusNormalClosure, "")
		set("first")
		set("second")
		if first := bruno.firstFrame(); !strings.Contains(first, line("second")) {
			t.Fatalf("bruno's page, back after two changes, got %q, want %s", first, line("second"))
		}
	})
}
