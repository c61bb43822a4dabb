package broker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

// recorder is a Publisher that keeps what it is handed.
type recorder struct {
	mu  sync.Mutex
	got []chat.RoomEvent
}

func (r *recorder) Publish(ev chat.RoomEvent) {
	r.mu.Lock()
	r.got = append(r.got, ev)
	r.mu.Unlock()
}

// waitPos waits until an event at position pos was delivered, and returns
// every event delivered.
func (r *recorder) waitPos(t *testing.T, pos int64) []chat.RoomEvent {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		got := append([]chat.RoomEvent(nil), r.got...)
		r.mu.Unlock()
		if len(got) > 0 && got[len(got)-1].Pos() >= pos {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("position %d not delivered; got %v", pos, describe(got))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// describe lists events as "kind:pos,pos…" for failure messages.
func describe(evs []chat.RoomEvent) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		s := fmt.Sprint(ev.Change, ":")
		for _, m := range ev.Messages {
			s += fmt.Sprint(m.Pos, ",")
		}
		out[i] = s
	}
	return out
}

// seed stores n messages in the general room and returns them as stored.
func seed(t *testing.T, store *db.Store, n int) []chat.Message {
	t.Helper()
	ctx := context.Background()
	u, err := store.CreateUser(ctx, "ana", "x")
	if err != nil {
		t.Fatal(err)
	}
	var msgs []db.NewMessage
	for i := range n {
		msgs = append(msgs, db.NewMessage{RoomID: db.GeneralRoom, UserID: u.ID, Key: fmt.Sprintf("follower-key-%04d", i), Author: u.Username, Body: fmt.Sprint("message ", i)})
	}
	stored, err := store.CreateMessages(ctx, msgs)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]chat.Message, n)
	for i, s := range stored {
		out[i] = s.Message
	}
	return out
}

func post(msgs ...chat.Message) chat.RoomEvent {
	return chat.RoomEvent{Change: chat.Post, Room: db.GeneralRoom, Messages: msgs}
}

func following(room int64) int {
	if room == db.GeneralRoom {
		return 1
	}
	return 0
}

// TestFollowerOrder: the next event is delivered, a duplicate is not, and a
// gap is filled from the database (new messages as posts, the rest as
// changes) before what follows it, so that positions rise by one.
func TestFollowerOrder(t *testing.T) {
	store := dbtest.File(t)
	msgs := seed(t, store, 3)
	edited, err := store.ChangeMessage(context.Background(), db.MessageChange{Kind: chat.Edit, RoomID: db.GeneralRoom, MessageID: msgs[0].ID, By: chat.User{ID: msgs[0].UserID}, Body: "message 0, edited"})
	if err != nil {
		t.Fatal(err)
	}
	var rec recorder
	f := NewFollower(store, &rec, following, nil)
	// Followed before any message: as a socket that came before them.
	f.rooms[db.GeneralRoom] = &roomState{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.Run(ctx)

	f.Publish(post(msgs[0]))
	f.Publish(post(msgs[0])) // again: from NATS after the writer
	f.Publish(post(msgs[2])) // 2 is missing
	got := rec.waitPos(t, edited.Pos)
	f.Publish(chat.RoomEvent{Change: chat.Edit, Room: db.GeneralRoom, Messages: []chat.Message{edited}})
	f.Publish(post(msgs[1]))
	f.Publish(post(chat.Message{ID: 99, RoomID: 7, Pos: 1})) // a room nobody here follows
	time.Sleep(100 * time.Millisecond)
	got = rec.waitPos(t, edited.Pos)

	want := []string{"1:1,", "1:2,", "1:3,", "2:4,"} // post 1; posts 2 and 3 (read); edit of 1 (read)
	if d := describe(got); fmt.Sprint(d) != fmt.Sprint(want) {
		t.Fatalf("delivered %v, want %v", d, want)
	}
	if got[3].Messages[0].Body != "message 0, edited" {
		t.Fatalf("the edit read from the database is %+v", got[3].Messages[0])
	}
}

// TestFollowerOverflowCatchesUp: when more events arrive than the queue
// holds, the room catches up from the database instead of growing.
func TestFollowerOverflowCatchesUp(t *testing.T) {
	store := dbtest.File(t)
	msgs := seed(t, store, 3)
	var rec recorder
	f := NewFollower(store, &rec, following, nil)
	f.Followed([]int64{db.GeneralRoom}) // where the room is now: position 3
	f.rooms[db.GeneralRoom].last = 0
	f.rooms[db.GeneralRoom].newest = 0
	for range followerQueue { // another room's events fill the queue
		f.Publish(post(chat.Message{ID: 1, RoomID: 7, Pos: 1}))
	}
	for _, m := range msgs {
		f.Publish(post(m)) // not queued: the room is marked instead
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.Run(ctx)
	got := rec.waitPos(t, msgs[2].Pos)
	if d := describe(got); fmt.Sprint(d) != fmt.Sprint([]string{"1:1,", "1:2,", "1:3,"}) {
		t.Fatalf("delivered %v, want the three messages read, one post each", d)
	}
}

// TestFollowedStartsAtTheRoomsPosition: a room followed from now on
// delivers what comes after its newest position, not what came before
// (the subscriber reads that from the database itself).
func TestFollowedStartsAtTheRoomsPosition(t *testing.T) {
	store := dbtest.File(t)
	msgs := seed(t, store, 2)
	var rec recorder
	f := NewFollower(store, &rec, following, nil)
	f.Followed([]int64{db.GeneralRoom})
	if st := f.rooms[db.GeneralRoom]; st.last != msgs[1].Pos || st.newest != msgs[1].ID {
		t.Fatalf("followed at position %d, newest %d; want %d, %d", st.last, st.newest, msgs[1].Pos, msgs[1].ID)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.Run(ctx)
	f.Publish(post(msgs[0])) // late: in the subscriber's history
	more := seed2(t, store, msgs[1].UserID)
	f.Publish(post(more))
	got := rec.waitPos(t, more.Pos)
	if d := describe(got); fmt.Sprint(d) != fmt.Sprint([]string{"1:3,"}) {
		t.Fatalf("delivered %v, want only position 3", d)
	}
	f.forget()
	if f.Following() != 1 {
		t.Fatalf("forgot a followed room")
	}
}

func seed2(t *testing.T, store *db.Store, user int64) chat.Message {
	t.Helper()
	stored, err := store.CreateMessages(context.Background(), []db.NewMessage{{RoomID: db.GeneralRoom, UserID: user, Key: "follower-key-more", Author: "ana", Body: "more"}})
	if err != nil {
		t.Fatal(err)
	}
	return stored[0].Message
}

// failingReads is a store whose gap reads fail while failing is set: a
// database that does not answer for a while.
type failingReads struct {
	*db.Store
	failing atomic.Bool
}

func (s *failingReads) ChangedAfter(ctx context.Context, room, pos int64, limit int) ([]chat.Message, error) {
	if s.failing.Load() {
		return nil, errors.New("database away")
	}
	return s.Store.ChangedAfter(ctx, room, pos, limit)
}

// TestFollowerRetriesAGapTheDatabaseCouldNotFill: a gap seen while the
// database does not answer is filled once it does, with no further event.
func TestFollowerRetriesAGapTheDatabaseCouldNotFill(t *testing.T) {
	store := &failingReads{Store: dbtest.File(t)}
	msgs := seed(t, store.Store, 3)
	var rec recorder
	f := NewFollower(store, &rec, following, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.rooms[db.GeneralRoom] = &roomState{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.Run(ctx)
	store.failing.Store(true)
	f.Publish(post(msgs[2])) // 1 and 2 missing, and unreadable for now
	time.Sleep(3 * catchUpRetry)
	store.failing.Store(false)
	got := rec.waitPos(t, msgs[2].Pos)
	if d := describe(got); fmt.Sprint(d) != fmt.Sprint([]string{"1:1,", "1:2,", "1:3,"}) {
		t.Fatalf("delivered %v, want 1 to 3 read once the database answered", d)
	}
}
