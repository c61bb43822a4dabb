package handlers_test

import (
	"fmt"
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
			if strings.Contains(frame, fmt.Sprintf(`id="unread-%d" class="unread" hx-swap-oob="outerHTML">%s</span>`, side, unread)) && got == mentions {
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
	inSide.send("and @" + reader.name + " again")
	expect("3", "2")
}
