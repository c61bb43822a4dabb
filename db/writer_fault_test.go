package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// published collects what a writer publishes.
type published struct {
	mu   sync.Mutex
	msgs []chat.Message
}

func (p *published) Publish(ev chat.RoomEvent) {
	p.mu.Lock()
	p.msgs = append(p.msgs, ev.Messages...)
	p.mu.Unlock()
}

func (p *published) snapshot() []chat.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.msgs)
}

// runWriter runs w until the test ends.
func runWriter(t *testing.T, w *db.Writer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var run sync.WaitGroup
	run.Go(func() { w.Run(ctx) })
	t.Cleanup(func() { cancel(); run.Wait() })
}

// holdWriteLock takes the file's write lock on a connection of its own, as
// a second process would, until the returned func is called.
func holdWriteLock(t *testing.T, fileURL string) (release func()) {
	t.Helper()
	other, err := sql.Open("sqlite", strings.TrimPrefix(fileURL, "file:"))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("take the write lock: %v", err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			conn.ExecContext(context.Background(), "ROLLBACK")
			conn.Close()
			other.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// While another connection holds the write lock, a batch of queued messages
// fails as a whole after one busy timeout (5 s), instead of once per
// message, and the writer takes messages again as soon as the lock is free.
func TestWriterFailsABusyBatchAtOnce(t *testing.T) {
	url := dbtest.FileURL(t)
	s, err := db.Open(context.Background(), url, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	w := db.NewWriter(s, nil, quiet)
	runWriter(t, w)
	release := holdWriteLock(t, url)

	const n = 10
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, n)
	took := make([]time.Duration, n)
	for i := range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
			defer cancel()
			_, errs[i] = w.Post(ctx, newMsg(700000+i))
			took[i] = time.Since(start)
		})
	}
	wg.Wait()
	slowest := slices.Max(took)
	t.Logf("%d messages queued behind a held write lock: all answered in %v", n, slowest.Round(time.Millisecond))
	for i, err := range errs {
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("message %d: err = %v after %v; want a busy error at once for the whole batch", i, err, took[i].Round(time.Millisecond))
		}
	}
	// Two batches at most (the first message alone, the rest together),
	// one busy timeout each, with a generous margin for a loaded machine.
	if slowest > 20*time.Second {
		t.Errorf("slowest answer after %v, want about two busy timeouts (10 s)", slowest)
	}

	release()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := w.Post(ctx, newMsg(700100)); err != nil {
		t.Fatalf("after the lock was released: %v", err)
	}
}

// The Turso-protocol server hangs (SIGSTOP) for longer than the commit
// timeout while senders post, then resumes. Every message that ended up
// stored was published, in id order; nobody told "not sent" (Post returned
// the context's error alone) has their message stored; a sender told
// ErrInDoubt may find it either way; one told "sent" has it published.
func TestWriterResolvesACommitInDoubt(t *testing.T) {
	s, srv := dbtest.TursoServer(t)
	var pub published
	w := db.NewWriter(s, &pub, quiet)
	const commitTimeout = time.Second
	w.SetCommitTimeout(commitTimeout)
	runWriter(t, w)

	type outcome struct {
		key string
		err error
	}
	var mu sync.Mutex
	var outcomes []outcome
	stop := make(chan struct{})
	var senders sync.WaitGroup
	for g := range 20 {
		senders.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				m := newMsg(800000 + g*1000 + i)
				// A socket gives each message a few seconds.
				ctx, cancel := context.WithTimeout(context.Background(), 3*commitTimeout/2)
				_, err := w.Post(ctx, m)
				cancel()
				mu.Lock()
				outcomes = append(outcomes, outcome{m.Key, err})
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	srv.Stop(t)
	time.Sleep(5 * commitTimeout / 2)
	srv.Continue(t)
	time.Sleep(time.Second)
	close(stop)
	senders.Wait()

	// Once a message posted now is answered, the doubt is settled: the
	// writer takes nothing new before.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := w.Post(ctx, newMsg(899999)); err != nil {
		t.Fatalf("after the server resumed: %v", err)
	}
	stored, err := s.Messages(ctx, db.GeneralRoom, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	shown := pub.snapshot()
	for i := 1; i < len(shown); i++ {
		if shown[i].ID <= shown[i-1].ID {
			t.Fatalf("published out of id order: %d after %d", shown[i].ID, shown[i-1].ID)
		}
	}
	isShown := make(map[string]bool, len(shown))
	for _, m := range shown {
		isShown[m.Key] = true
	}
	isStored := make(map[string]bool, len(stored))
	var unpublished []string
	for _, m := range stored {
		isStored[m.Key] = true
		if !isShown[m.Key] {
			unpublished = append(unpublished, m.Key)
		}
	}
	if len(unpublished) > 0 {
		t.Errorf("%d stored messages were never published (no live page would ever see them): %v", len(unpublished), unpublished)
	}
	var sent, notSent, inDoubt, inDoubtStored int
	for _, o := range outcomes {
		switch {
		case o.err == nil:
			sent++
			if !isShown[o.key] {
				t.Errorf("%s: told sent, never published", o.key)
			}
		case errors.Is(o.err, db.ErrInDoubt):
			inDoubt++
			if isStored[o.key] {
				inDoubtStored++
			}
		default:
			notSent++
			if isStored[o.key] {
				t.Errorf("%s: told not sent (%v), stored behind the sender's back", o.key, o.err)
			}
		}
	}
	t.Logf("%d posts: %d sent, %d not sent, %d in doubt (%d of them stored and published); %d stored in all",
		len(outcomes), sent, notSent, inDoubt, inDoubtStored, len(stored))
	if notSent+inDoubt == 0 {
		t.Errorf("no post waited out the hang: the test did not hang the database")
	}
}

// A panic while publishing (rendering, say) is logged, its senders get an
// error, and the writer goes on with the next batch.
func TestWriterSurvivesAPanickingOnCommit(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		var pub published
		panicked := false
		w := db.NewWriter(s, db.PublishFunc(func(ev chat.RoomEvent) {
			if !panicked {
				panicked = true
				panic("render failed")
			}
			pub.Publish(ev)
		}), quiet)
		runWriter(t, w)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := w.Post(ctx, newMsg(900001)); !errors.Is(err, db.ErrPublish) {
			t.Fatalf("post whose publishing panicked: err = %v, want ErrPublish", err)
		}
		st, err := w.Post(ctx, newMsg(900002))
		if err != nil {
			t.Fatalf("post after the panic: %v", err)
		}
		if got := pub.snapshot(); len(got) != 1 || got[0].ID != st.Message.ID {
			t.Fatalf("published %v after the panic, want message %d", got, st.Message.ID)
		}
	})
}

// Read marks go through the writer: the newest per person and room wins,
// whatever order they arrive in, and an older one never moves a mark back.
func TestWriterStoresReadMarks(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		var users []chat.User
		for i := range 5 {
			users = append(users, mustUser(t, s, fmt.Sprintf("marker-%d", i)))
		}
		w := db.NewWriter(s, nil, quiet)
		runWriter(t, w)
		var wg sync.WaitGroup
		for _, u := range users {
			for last := range int64(50) {
				wg.Go(func() { w.MarkRead(db.GeneralRoom, u.ID, 100+last) })
			}
		}
		wg.Wait()
		w.MarkRead(db.GeneralRoom, users[0].ID, 10) // older: ignored
		// Messages committed meanwhile do not hold the marks back.
		if _, err := w.Post(ctx, newMsg(910000)); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for _, u := range users {
			for {
				var last int64
				err := s.DB().QueryRowContext(ctx,
					`SELECT last_read_id FROM memberships WHERE room_id = ? AND user_id = ?`, db.GeneralRoom, u.ID).Scan(&last)
				if err != nil {
					t.Fatal(err)
				}
				if last == 149 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: read mark %d, want 149", u.Username, last)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	})
}

// While marks come fast, a mark handed over right after marks were stored
// waits for the spacing between two statements of marks, and is then
// stored though nothing else happens: no message, no other mark wakes the
// writer.
func TestWriterStoresALateReadMarkWithoutAnotherWake(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		u := mustUser(t, s, "late-marker")
		w := db.NewWriter(s, nil, quiet)
		w.SetBusyMarks(1) // every mark counts as a busy server's
		runWriter(t, w)
		w.MarkRead(db.GeneralRoom, u.ID, 7)
		waitForMark(t, s, u.ID, 7)
		w.MarkRead(db.GeneralRoom, u.ID, 8) // within the spacing of the first
		waitForMark(t, s, u.ID, 8)
	})
}

func waitForMark(t *testing.T, s *db.Store, user, want int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var last int64
		if err := s.DB().QueryRow(`SELECT last_read_id FROM memberships WHERE room_id = ? AND user_id = ?`,
			db.GeneralRoom, user).Scan(&last); err != nil {
			t.Fatal(err)
		}
		if last == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("read mark %d, want %d", last, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Marks handed over before the writer stops are stored before Run returns:
// the store may be closed right after (a graceful stop).
func TestWriterStoresReadMarksBeforeStopping(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		u := mustUser(t, s, "last-marker")
		w := db.NewWriter(s, nil, quiet)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { w.Run(ctx); close(done) }()
		w.MarkRead(db.GeneralRoom, u.ID, 42)
		cancel()
		<-done
		var last int64
		if err := s.DB().QueryRow(`SELECT last_read_id FROM memberships WHERE room_id = ? AND user_id = ?`,
			db.GeneralRoom, u.ID).Scan(&last); err != nil {
			t.Fatal(err)
		}
		if last != 42 {
			t.Fatalf("read mark %d after the writer stopped, want 42", last)
		}
	})
}
