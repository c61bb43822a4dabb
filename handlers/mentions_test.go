package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

// mentionBadgeRe reads a sidebar's mention badges: room id and count ("" when none).
var mentionBadgeRe = regexp.MustCompile(`<span id="mentions-(\d+)" class="mentions"[^>]*>(?:<span aria-hidden="true">@</span>(\d+|99\+)<span class="visually-hidden"> mentions?</span>)?</span>`)

// mentionCounts returns the mention badges a page or frame shows, by room.
func mentionCounts(page string) map[int64]string {
	out := make(map[int64]string)
	for _, m := range mentionBadgeRe.FindAllStringSubmatch(page, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		out[id] = m[2]
	}
	return out
}

// postTo has p send body to room over the plain form.
func postTo(t *testing.T, p *person, room int64, body string) {
	t.Helper()
	resp, page := p.post(fmt.Sprintf("/rooms/%d/messages", room), url.Values{"_csrf": {p.csrf}, "key": {nextKey()}, "body": {body}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s sends %q to room %d: %d\n%.300s", p.name, body, room, resp.StatusCode, page)
	}
}

// TestMentionCountsSurviveReloadsAndResetWhenRead: the sidebar counts the
// unread messages that mention the reader apart from the unread ones, on
// every page load until the room is read; a name in code, a longer name
// that begins with theirs, their own message naming themselves, and
// mentions in rooms they are not in (private, or public but not joined)
// are not counted.
func TestMentionCountsSurviveReloadsAndResetWhenRead(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		reader, writer := srv.visit(t), srv.visit(t)
		side := createRoom(t, writer, "side", "public")
		reader.enter(side)
		reader.post(fmt.Sprintf("/rooms/%d/join", side), url.Values{"_csrf": {reader.csrf}})
		vault := createRoom(t, writer, "vault", "private")
		elsewhere := createRoom(t, writer, "elsewhere", "public")
		reader.enter(db.GeneralRoom)

		name := strings.ToUpper(reader.name) // any case mentions them
		writer.enter(side)
		for _, body := range []string{
			"hi @" + name, "no mention here", "`@" + reader.name + "` in code",
			"@" + reader.name + "x is someone else", "again, @" + reader.name + ".",
		} {
			postTo(t, writer, side, body)
		}
		reader.enter(side)
		postTo(t, reader, side, "I am @"+reader.name) // their own
		writer.enter(vault)
		postTo(t, writer, vault, "@"+reader.name+" cannot read this")
		writer.enter(elsewhere)
		postTo(t, writer, elsewhere, "@"+reader.name+" has not joined this")
		postTo(t, writer, side, "@"+reader.name+" once more") // after reader's visit

		check := func(what string, want map[int64]string) {
			t.Helper()
			page := reader.get("/rooms/1")
			if got := mentionCounts(page); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: mention badges %v, want %v", what, got, want)
			}
		}
		check("one unread mention", map[int64]string{db.GeneralRoom: "", side: "1"})
		check("reloaded", map[int64]string{db.GeneralRoom: "", side: "1"})

		// Read one room, then mentions come in: counted until read again.
		reader.enter(db.GeneralRoom)
		writer.enter(side)
		postTo(t, writer, side, "@"+reader.name+" two")
		postTo(t, writer, side, "@"+reader.name+" three")
		check("three", map[int64]string{db.GeneralRoom: "", side: "3"})
		reader.enter(side)
		check("after reading the room", map[int64]string{db.GeneralRoom: "", side: ""})
	})
}

// TestMentionCountsUpdateLive: a page open on one room gets the mention
// badge of another as mentions arrive there, apart from the unread badge,
// and nothing for a room the person is not in.
func TestMentionCountsUpdateLive(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	reader, writer := srv.visit(t), srv.visit(t)
	side := createRoom(t, writer, "side", "public")
	vault := createRoom(t, writer, "vault", "private")
	reader.enter(side)
	reader.post(fmt.Sprintf("/rooms/%d/join", side), url.Values{"_csrf": {reader.csrf}})
	reader.enter(db.GeneralRoom)
	watcher := reader.dial(-1)

	writer.enter(vault)
	inVault := writer.dial(-1)
	writer.enter(side)
	inSide := writer.dial(-1)
	// expect reads the reader's frames until the side room's badges are
	// unread and mentions; any badge or text of the vault fails.
	expect := func(unread, mentions string) {
		t.Helper()
		for {
			frame := watcher.read(5 * time.Second)
			if strings.Contains(frame, fmt.Sprintf("-%d\"", vault)) || strings.Contains(frame, "vault talk") {
				t.Fatalf("the reader's page got something of a room they are not in: %q", frame)
			}
			got := mentionCounts(frame)[side]
			if strings.Contains(frame, fmt.Sprintf(`id="unread-%d" class="unread" data-label=" unread" hx-swap-oob="outerHTML">%s</span>`, side, unread)) && got == mentions {
				return
			}
			t.Logf("the reader's page got another frame first: %q", frame)
		}
	}
	inVault.send("vault talk @" + reader.name)
	inSide.send("@" + reader.name + " look")
	expect("1", "1")
	inSide.send("no mention")
	// Only the unread badge changes: the frame has no mention badge.
	for {
		frame := watcher.read(5 * time.Second)
		if strings.Contains(frame, fmt.Sprintf(`id="unread-%d"`, side)) {
			if _, ok := mentionCounts(frame)[side]; ok {
				t.Fatalf("a message without a mention changed the mention badge: %q", frame)
			}
			break
		}
	}
	// The reader's own message naming themselves, from another tab: no
	// badge at all (it is not unread either).
	reader.enter(side)
	readerInSide := reader.dial(-1)
	readerInSide.send("note to self, @" + reader.name)
	readerInSide.collect(1, 5*time.Second)
	inSide.send("and @" + reader.name + " again")
	expect("3", "2")
}

// TestMentionNamesAndNoticesAreForMembers: the composer's @ suggestions
// list the room's members that begin with what was typed; a notice is the
// newest unread message that mentions the person (or any, in a direct
// conversation), never their own; and both answer a room's outsiders as
// its pages do (404 for a private room), so neither tells of a room one may
// not read.
func TestMentionNamesAndNoticesAreForMembers(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	owner, member, outsider := srv.visit(t), srv.visit(t), srv.visit(t)
	vault := createRoom(t, owner, "vault", "private")
	owner.enter(vault)
	if resp, _ := owner.add(vault, member.name); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add %s: %d", member.name, resp.StatusCode)
	}
	names := owner.get(fmt.Sprintf("/rooms/%d/names?q=%s", vault, strings.ToUpper(member.name[:5])))
	if !strings.Contains(names, `data-name="`+member.name+`"`) || strings.Contains(names, outsider.name) || !strings.Contains(names, owner.name) {
		t.Errorf("suggestions for %q in the vault: %s; want its two members, not %s", member.name[:5], names, outsider.name)
	}

	member.enter(db.GeneralRoom)
	postTo(t, owner, vault, "@"+member.name+" the plan")
	postTo(t, owner, vault, "nothing for you")
	notice := member.get(fmt.Sprintf("/rooms/%d/notice", vault))
	if !strings.Contains(notice, `"author":"`+owner.name+`"`) || !strings.Contains(notice, `"text":"@`+member.name+` the plan"`) || !strings.Contains(notice, `"mention":true`) {
		t.Errorf("the member's notice: %s; want the message that mentions them", notice)
	}
	if status, _ := owner.getStatus(fmt.Sprintf("/rooms/%d/notice", vault)); status != http.StatusNoContent {
		t.Errorf("the author's notice: %d, want 204 (their own messages are no news)", status)
	}
	for _, path := range []string{fmt.Sprintf("/rooms/%d/notice", vault), fmt.Sprintf("/rooms/%d/names?q=use", vault)} {
		if status, body := outsider.getStatus(path); status != http.StatusNotFound || strings.Contains(body, "the plan") || strings.Contains(body, member.name) {
			t.Errorf("an outsider's GET %s: %d %.200s; want 404 and nothing of the room", path, status, body)
		}
	}

	// A direct conversation: any message is news.
	resp, _ := outsider.post("/direct", url.Values{"_csrf": {outsider.csrf}, "username": {member.name}})
	var dm int64
	fmt.Sscanf(resp.Header.Get("Location"), "/rooms/%d", &dm)
	outsider.enter(dm)
	postTo(t, outsider, dm, "psst")
	if notice := member.get(fmt.Sprintf("/rooms/%d/notice", dm)); !strings.Contains(notice, `"text":"psst"`) || !strings.Contains(notice, `"mention":false`) {
		t.Errorf("the member's notice of a direct message: %s", notice)
	}
}

// TestMentionStylesheetIsTheReaders: a room's page links the reader's own
// stylesheet, which picks out mentions of them (by their name's key) and
// nothing else; a name that no mention could carry gets none, so nothing
// typed into the address reaches a stylesheet.
func TestMentionStylesheetIsTheReaders(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p := srv.visit(t)
	page := p.get("/rooms/1")
	href := regexp.MustCompile(`<link rel="stylesheet" href="(/mentions\.css\?me=` + p.name + `&amp;v=[^"]+)">`).FindStringSubmatch(page)
	if href == nil {
		t.Fatalf("the page links no stylesheet of %s's mentions", p.name)
	}
	resp, err := p.client.Get(srv.URL + strings.ReplaceAll(href[1], "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	css := new(strings.Builder)
	_, _ = io.Copy(css, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") ||
		!strings.Contains(css.String(), `.mention[data-mention="`+p.name+`"]`) || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("the stylesheet: %d %s %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), css)
	}
	for _, bad := range []string{"", "Ana", "a", `ana"]{}*{color:red}`, "ana%0a", strings.Repeat("a", 33)} {
		if status, _ := p.getStatus("/mentions.css?me=" + url.QueryEscape(bad)); status != http.StatusNotFound {
			t.Errorf("/mentions.css?me=%q: %d, want 404", bad, status)
		}
	}
}
