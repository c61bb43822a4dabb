package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

// unreadRe finds the messages that carry the "new messages" line.
var unreadRe = regexp.MustCompile(`<article id="msg-(\d+)"[^>]*? data-unread-label="New messages"`)

// unreadFrom returns the ids of the messages a page draws the line above.
func unreadFrom(page string) []int64 {
	var out []int64
	for _, m := range unreadRe.FindAllStringSubmatch(page, -1) {
		var id int64
		fmt.Sscan(m[1], &id)
		out = append(out, id)
	}
	return out
}

// say stores n messages in #general from someone else (prefix 1, 2…).
func say(t *testing.T, store *db.Store, prefix string, n int) []chat.Message {
	t.Helper()
	var batch []db.NewMessage
	for i := range n {
		batch = append(batch, db.NewMessage{RoomID: db.GeneralRoom, Key: fmt.Sprintf("%s-%08d", prefix, i), Author: "seeder", Body: fmt.Sprintf("%s %d", prefix, i)})
	}
	stored, err := store.CreateMessages(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	msgs := make([]chat.Message, n)
	for i, st := range stored {
		msgs[i] = st.Message
	}
	return msgs
}

// TestRoomPageMarksWhereTheReaderStopped: a person's room page draws the
// "new messages" line on the first message after their read mark that is
// someone else's, exactly once; and on none when they have seen it all
// (they just joined, or opened the page again), on an archive page, in an
// older page loaded in place (the same bytes for everyone), or when more
// are unread than the page holds (the first is not on it).
func TestRoomPageMarksWhereTheReaderStopped(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		say(t, store, "before", 2)
		p := srv.visit(t) // joins with everything so far read
		check := func(what string, page string, want ...int64) {
			t.Helper()
			if got := unreadFrom(page); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: the line is above messages %v, want %v", what, got, want)
			}
		}
		check("a new member's page", p.get("/rooms/1"))

		unread := say(t, store, "unread", 3)
		check("three new messages", p.get("/rooms/1"), unread[0].ID)
		check("the page opened again", p.get("/rooms/1"))

		// The person's own message (from another tab) is not news to them.
		resp, body := p.post("/rooms/1/messages", url.Values{"_csrf": {p.csrf}, "key": {nextKey()}, "body": {"mine"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("send: %d %s", resp.StatusCode, body)
		}
		after := say(t, store, "after", 2)
		page := p.get("/rooms/1")
		check("their own message, then two others'", page, after[0].ID)
		check("the archive page", p.get(fmt.Sprintf("/rooms/1?before=%d", after[1].ID)))

		more := say(t, store, "more", 1)
		check("an older page loaded in place", p.get(fmt.Sprintf("/rooms/1/messages?before=%d", more[0].ID+1)))

		// More unread than a page holds: they begin before the page, where
		// no line can be drawn; the page opens at the newest as before.
		say(t, store, "flood", db.PageSize+1)
		check("more unread than a page", p.get("/rooms/1"))
	})
}
