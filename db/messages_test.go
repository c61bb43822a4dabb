package db_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

func newMsg(i int) db.NewMessage {
	return db.NewMessage{RoomID: db.GeneralRoom, Key: fmt.Sprintf("key-%08d", i), Author: "curious-otter", Body: fmt.Sprintf("message %d", i)}
}

func mustCreate(t *testing.T, s *db.Store, msgs ...db.NewMessage) []db.Stored {
	t.Helper()
	stored, err := s.CreateMessages(context.Background(), msgs)
	if err != nil {
		t.Fatalf("create %d messages: %v", len(msgs), err)
	}
	return stored
}

func TestStore(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		t.Run("HistoryPagesAreKeysetByID", func(t *testing.T) { testHistoryPages(t, s) })
		t.Run("RepeatKeyIsTheSameMessage", func(t *testing.T) { testRepeatKey(t, s) })
		t.Run("MarkupIsStoredVerbatim", func(t *testing.T) { testMarkupVerbatim(t, s) })
		t.Run("WriterCommitsInIDOrderBeforeAnswering", func(t *testing.T) { testWriter(t, s) })
		t.Run("EnsureSettingKeepsTheFirstValue", func(t *testing.T) { testEnsureSetting(t, s) })
	})
}

func testHistoryPages(t *testing.T, s *db.Store) {
	ctx := context.Background()
	var batch []db.NewMessage
	for i := 0; i < 120; i++ {
		batch = append(batch, newMsg(i))
	}
	stored := mustCreate(t, s, batch...)
	for i, st := range stored {
		if !st.Created || st.Message.Body != batch[i].Body {
			t.Fatalf("stored[%d] = %+v, want created %q", i, st, batch[i].Body)
		}
		if i > 0 && st.Message.ID <= stored[i-1].Message.ID {
			t.Fatalf("ids not increasing in input order: %d then %d", stored[i-1].Message.ID, st.Message.ID)
		}
	}

	page, err := s.Messages(ctx, db.GeneralRoom, 0, db.PageSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 50 || page[0].Body != "message 70" || page[49].Body != "message 119" {
		t.Fatalf("first page: %d messages from %q to %q, want 50 from message 70 to message 119", len(page), page[0].Body, page[len(page)-1].Body)
	}
	older, err := s.Messages(ctx, db.GeneralRoom, page[0].ID, db.PageSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(older) != 50 || older[0].Body != "message 20" || older[49].Body != "message 69" {
		t.Fatalf("older page: %d messages from %q to %q, want 50 from message 20 to message 69", len(older), older[0].Body, older[len(older)-1].Body)
	}
	oldest, err := s.Messages(ctx, db.GeneralRoom, older[0].ID, db.PageSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(oldest) != 20 {
		t.Fatalf("last page has %d messages, want 20", len(oldest))
	}

	after, err := s.MessagesAfter(ctx, db.GeneralRoom, stored[99].Message.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 20 || after[0].ID != stored[100].Message.ID || after[19].ID != stored[119].Message.ID {
		t.Fatalf("after id %d: got %d messages, want the 20 from id %d", stored[99].Message.ID, len(after), stored[100].Message.ID)
	}
	other, err := s.MessagesAfter(ctx, 99, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(other) != 0 {
		t.Fatalf("room 99 has %d messages, want none", len(other))
	}
}

func testRepeatKey(t *testing.T, s *db.Store) {
	ctx := context.Background()
	first := mustCreate(t, s, db.NewMessage{RoomID: db.GeneralRoom, Key: "repeat-key-1", Author: "a", Body: "once"})[0]
	if !first.Created {
		t.Fatal("first store of a key was not created")
	}
	// A resend (say, after a reconnect) in a later batch, next to a new message.
	again := mustCreate(t, s,
		db.NewMessage{RoomID: db.GeneralRoom, Key: "repeat-key-1", Author: "a", Body: "once"},
		db.NewMessage{RoomID: db.GeneralRoom, Key: "repeat-key-2", Author: "a", Body: "twice?"},
		db.NewMessage{RoomID: db.GeneralRoom, Key: "repeat-key-2", Author: "a", Body: "twice?"},
	)
	if again[0].Created || again[0].Message.ID != first.Message.ID {
		t.Fatalf("resend = %+v, want the earlier message %d, not created", again[0], first.Message.ID)
	}
	if !again[1].Created || again[2].Created || again[1].Message.ID != again[2].Message.ID {
		t.Fatalf("one key twice in a batch: %+v and %+v, want one message created once", again[1], again[2])
	}
	msgs, err := s.MessagesAfter(ctx, db.GeneralRoom, first.Message.ID-1, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 {
		t.Fatalf("stored %d messages for 2 keys sent 4 times", len(msgs))
	}
}

func testMarkupVerbatim(t *testing.T, s *db.Store) {
	body := `<script>alert(1)</script><img src=x onerror="alert(2)"> & "quotes"`
	st := mustCreate(t, s, db.NewMessage{RoomID: db.GeneralRoom, Key: "markup-key", Author: "<b>bob</b>", Body: body})[0]
	if st.Message.Body != body || st.Message.Author != "<b>bob</b>" {
		t.Fatalf("stored %+v, want the text exactly as sent (escaping is the views' job)", st.Message)
	}
}

func testWriter(t *testing.T, s *db.Store) {
	var mu sync.Mutex
	var published []chat.Message
	w := db.NewWriter(s, db.PublishFunc(func(ev chat.RoomEvent) {
		mu.Lock()
		published = append(published, ev.Messages...)
		mu.Unlock()
	}), nil)
	ctx, cancel := context.WithCancel(context.Background())
	var run sync.WaitGroup
	run.Go(func() { w.Run(ctx) })
	defer func() { cancel(); run.Wait() }()

	const senders, each = 8, 25
	results := make([][]db.Stored, senders)
	var wg sync.WaitGroup
	for g := range senders {
		wg.Go(func() {
			for i := range each {
				m := newMsg(100000 + g*each + i)
				st, err := w.Post(ctx, m)
				if err != nil {
					t.Errorf("post: %v", err)
					return
				}
				mu.Lock()
				// Answered after commit: the message is already published.
				found := false
				for _, p := range published {
					found = found || p.ID == st.Message.ID
				}
				mu.Unlock()
				if !found {
					t.Errorf("message %d answered before it was published", st.Message.ID)
				}
				results[g] = append(results[g], st)
			}
		})
	}
	wg.Wait()
	if len(published) != senders*each {
		t.Fatalf("published %d messages, want %d", len(published), senders*each)
	}
	for i := 1; i < len(published); i++ {
		if published[i].ID <= published[i-1].ID {
			t.Fatalf("published out of id order: %d after %d", published[i].ID, published[i-1].ID)
		}
	}
	for g := range results {
		for i := 1; i < len(results[g]); i++ {
			if results[g][i].Message.ID <= results[g][i-1].Message.ID {
				t.Fatalf("sender %d: its own messages stored out of order", g)
			}
		}
	}

	// Bad input is refused before it reaches the database.
	for _, tc := range []struct {
		name string
		msg  db.NewMessage
		want error
	}{
		{"empty", db.NewMessage{RoomID: 1, Key: "valid-key-0", Author: "a", Body: ""}, db.ErrEmpty},
		{"blank", db.NewMessage{RoomID: 1, Key: "valid-key-0", Author: "a", Body: " \n\t "}, db.ErrEmpty},
		{"bad key", db.NewMessage{RoomID: 1, Key: "x", Author: "a", Body: "hi"}, db.ErrBadKey},
		{"bad name", db.NewMessage{RoomID: 1, Key: "valid-key-0", Author: "a\x00b", Body: "hi"}, db.ErrBadName},
	} {
		if _, err := w.Post(ctx, tc.msg); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	_, err := w.Post(ctx, db.NewMessage{RoomID: 1, Key: "valid-key-0", Author: "a", Body: strings.Repeat("é", db.MaxMessageLen+1)})
	var tooLong *db.TooLongError
	if !errors.As(err, &tooLong) || tooLong.Len != db.MaxMessageLen+1 {
		t.Errorf("4001 characters: err = %v, want TooLongError{4001}", err)
	}
	if _, err := w.Post(ctx, db.NewMessage{RoomID: 1, Key: "valid-key-1", Author: "a", Body: strings.Repeat("é", db.MaxMessageLen)}); err != nil {
		t.Errorf("exactly 4000 characters: %v", err)
	}
}

func testEnsureSetting(t *testing.T, s *db.Store) {
	ctx := context.Background()
	v, err := s.EnsureSetting(ctx, "test_secret", "first")
	if err != nil || v != "first" {
		t.Fatalf("EnsureSetting = %q, %v; want first", v, err)
	}
	v, err = s.EnsureSetting(ctx, "test_secret", "second")
	if err != nil || v != "first" {
		t.Fatalf("EnsureSetting again = %q, %v; want the first value kept", v, err)
	}
}

func TestRedactKeepsSecretsOutOfLogs(t *testing.T) {
	for in, want := range map[string]string{
		"file:charla.db?_pragma=x":                  "file:charla.db",
		"libsql://db-org.turso.io?authToken=SECRET": "libsql://db-org.turso.io",
		"https://user:SECRET@db.example":            "https://db.example",
	} {
		if got := db.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
