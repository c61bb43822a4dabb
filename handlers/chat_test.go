package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

func seed(t *testing.T, store *db.Store, n int) []chat.Message {
	t.Helper()
	var batch []db.NewMessage
	for i := range n {
		batch = append(batch, db.NewMessage{RoomID: db.GeneralRoom, Key: fmt.Sprintf("seed-%08d", i), Author: "seeder", Body: fmt.Sprintf("seed %d", i)})
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

func TestPageShowsNewestHistoryAndLoadsOlder(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, store *db.Store) {
		srv := newServer(t, store)
		seeded := seed(t, store, 120)
		p := srv.visit(t)

		page := p.get("/rooms/1")
		shown := parseMessages(page)
		if len(shown) != 50 || shown[0].Body != "seed 70" || shown[49].Body != "seed 119" {
			t.Fatalf("page shows %d messages (%v … %v), want seed 70 … seed 119", len(shown), shown[0], shown[len(shown)-1])
		}
		if want := fmt.Sprintf(`hx-ws:connect="/rooms/1/ws?after=%d&amp;newest=%d"`, seeded[119].Pos, seeded[119].ID); !strings.Contains(page, want) {
			t.Fatalf("page does not connect with the newest id: want %s", want)
		}
		older := p.get(fmt.Sprintf("/rooms/1/messages?before=%d", shown[0].ID))
		if got := parseMessages(older); len(got) != 50 || got[0].Body != "seed 20" || got[49].Body != "seed 69" {
			t.Fatalf("older page: %d messages, want seed 20 … seed 69", len(got))
		}
		if !strings.Contains(older, `<hx-upsert hx-target="#messages" key="data-id" sort>`) ||
			!strings.Contains(older, fmt.Sprintf(`hx-get="/rooms/1/messages?before=%d"`, seeded[20].ID)) {
			t.Fatalf("older page is not an upsert with the next link:\n%.400s", older)
		}
		oldest := p.get(fmt.Sprintf("/rooms/1/messages?before=%d", seeded[20].ID))
		if got := parseMessages(oldest); len(got) != 20 || !strings.Contains(oldest, "start of the conversation") {
			t.Fatalf("oldest page: %d messages, want 20 and the start marker", len(got))
		}
		// Without script, the link opens an archive page.
		archive := p.get(fmt.Sprintf("/rooms/1?before=%d", shown[0].ID))
		if got := parseMessages(archive); len(got) != 50 || strings.Contains(archive, "hx-ws:connect") {
			t.Fatalf("archive page: %d messages, socket %v", len(got), strings.Contains(archive, "hx-ws:connect"))
		}
	})
}

func TestHTTPSendStoresOnceAndBroadcasts(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p := srv.visit(t)
	live := srv.visit(t).dial(-1)

	form := url.Values{"_csrf": {p.csrf}, "key": {"http-key-0001"}, "body": {"sent without script"}}
	resp, _ := p.post("/rooms/1/messages", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303 back to the chat", resp.StatusCode)
	}
	assertInOrderOnce(t, live.collect(1, 5*time.Second), []string{"sent without script"})
	if page := p.get("/rooms/1"); len(parseMessages(page)) != 1 {
		t.Fatal("the message is not in the history after a reload")
	}
}

func TestHTTPSendNeedsCSRFToken(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p := srv.visit(t)
	for name, form := range map[string]url.Values{
		"no token":    {"key": {"csrf-key-0001"}, "body": {"forged"}},
		"wrong token": {"_csrf": {"not-the-token"}, "key": {"csrf-key-0002"}, "body": {"forged"}},
	} {
		resp, _ := p.post("/rooms/1/messages", form)
		if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 400 or 403", name, resp.StatusCode)
		}
	}
	// A browser that says the POST comes from another site is refused too.
	req, _ := http.NewRequest("POST", srv.URL+"/rooms/1/messages", strings.NewReader("key=csrf-key-0003&body=forged"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: status %d, want 403", resp.StatusCode)
	}
	if n := len(parseMessages(p.get("/rooms/1"))); n != 0 {
		t.Fatalf("%d forged messages stored", n)
	}
}

func TestHTTPSendTooLongKeepsTheText(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p := srv.visit(t)
	long := strings.Repeat("x", db.MaxMessageLen+1)
	resp, page := p.post("/rooms/1/messages", url.Values{"_csrf": {p.csrf}, "key": {"long-key-0001"}, "body": {long}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	if !strings.Contains(page, "4,001 characters long; the limit is 4,000") || !strings.Contains(page, ">"+long+"</textarea>") {
		t.Fatal("the page does not say what is wrong and give the text back")
	}
}

func TestMessagesCarryTheSendersUsername(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p := srv.visit(t)
	s := p.dial(-1)
	s.send("hello")
	frame := s.read(5 * time.Second)
	if !strings.Contains(frame, `<span class="author">`+p.name+`</span>`) {
		t.Fatalf("the message does not carry its sender's name: %s", frame)
	}
}

func TestBrowsersGetErrorsAsPages(t *testing.T) {
	srv := newServer(t, dbtest.File(t))
	p := srv.visit(t)
	req, _ := http.NewRequest("GET", srv.URL+"/rooms/987654", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "<h2>Not Found</h2>") || !strings.Contains(string(body), "No room here") {
		t.Fatalf("a browser asking for a missing room: %d\n%s", resp.StatusCode, body)
	}
}
