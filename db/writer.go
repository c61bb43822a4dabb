package db

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charla/charla/chat"
)

var (
	// ErrWriterClosed: the writer has stopped (the server is shutting down).
	ErrWriterClosed = errors.New("message writer has stopped")
	// ErrKeyTaken: the key belongs to a message of another room or author.
	// Keys are random, so this is a forged or broken client; answering with
	// the other message would leak it.
	ErrKeyTaken = errors.New("message key belongs to another message")
	// ErrInDoubt: the sender stopped waiting after the writer had sent the
	// message to the database, which had not answered yet. The writer goes
	// on until it knows: if the message was stored it is published like any
	// other (the page sees it arrive); a resend with the same key is the same
	// message either way.
	ErrInDoubt = errors.New("not confirmed: the database did not answer in time")
	// ErrBusy: the database refused the batch because another connection
	// held its write lock past the busy timeout. Nothing was stored.
	ErrBusy = errors.New("database is busy")
	// ErrPublish: the message is stored but publishing it failed (a bug,
	// logged with its stack): a resend with the same key shows it.
	ErrPublish = errors.New("message stored but not published")
)

const (
	// maxBatch bounds one INSERT: 6 parameters a row stays far below
	// SQLite's 32,766 and keeps a Hrana request small.
	maxBatch = 512
	// commitTimeout bounds one attempt at a batch, whatever the senders'
	// contexts say. A commit that has not answered by then is in doubt (see
	// resolve), not failed. It is longer than a file's busy timeout (5 s),
	// so that a held write lock fails a batch for sure (ErrBusy) before.
	commitTimeout = 10 * time.Second
	// resolveBackoff and resolveBackoffMax space the attempts to settle a
	// batch in doubt: often enough to carry on at once when the database
	// comes back, rarely enough not to pile up requests on a hung one.
	resolveBackoff    = 100 * time.Millisecond
	resolveBackoffMax = 2 * time.Second
	// stopGrace bounds what the writer still does once told to stop:
	// settling a batch in doubt and storing the last read marks.
	stopGrace = 5 * time.Second
	// markSpacing is the least time between two statements of read marks
	// while marks come fast (busyMarks a second or more): then a busy
	// room's pages each hand over a mark a few times a second, and one
	// statement (and one commit) a round for them had the writer commit
	// twice for every batch of messages, which made every delivery slower.
	// Otherwise a mark is stored at once: the next page a person opens
	// reads its unread counts from the database, often within half a
	// second of reading the last message.
	markSpacing = 200 * time.Millisecond
	busyMarks   = 50
)

// Writer makes every change to the rooms' messages: new ones with group
// commit, edits, deletions and reactions one at a time. Senders call Post
// and Change from many goroutines; one goroutine (Run) takes whatever is
// waiting, stores it in one statement that also gives each message touched
// the next position, then hands the room events to the Publisher, then
// answers each sender. So:
//   - nobody is told "sent" before the message is committed;
//   - events are published in the order of their positions, which
//     recovery ("every change after position N") and the sockets'
//     skipping of what they already sent depend on;
//   - under load a commit (and its fsync, or its round trip to Turso) is
//     shared by every message that arrived while the previous one ran.
//
// There is no timer: a lone message is stored at once, and batches grow by
// themselves when commits are the bottleneck.
//
// Read marks (MarkRead) go through the same goroutine, newest per person and
// room, one statement for all that are waiting (at most one every
// markSpacing while many come): the writer is the only one that writes on a
// busy server, so it never races another connection for SQLite's write lock.
//
// When a commit times out or its connection fails, the batch is in doubt:
// the database may have stored it, or may still. The writer then takes no
// other batch until it knows (see resolve), so that ids are still published
// in order; it only waits while the database does not answer anyway.
type Writer struct {
	store   *Store
	pub     Publisher
	log     *slog.Logger
	reqs    chan *postRequest
	changes chan *changeRequest
	done    chan struct{}

	// commitTimeout is commitTimeout, shorter in tests.
	commitTimeout time.Duration

	// Observe, if set before Run, is told of every attempt to store a
	// batch: its size, how long the database took, and its error (for
	// metrics; see server/metrics.go). It runs on the writer's goroutine
	// and must not block.
	Observe func(messages int, took time.Duration, err error)

	marksMu     sync.Mutex
	marks       map[markKey]int64 // newest read mark per person and room
	marksHanded atomic.Int64      // marks handed over since Run last looked
	busyMarks   int64             // busyMarks, lower in tests
	wake        chan struct{}     // (1): marks are waiting
}

// Request states: the writer and a sender who gives up race to move a
// request out of waiting, and the winner decides whether it is stored.
const (
	reqWaiting   int32 = iota
	reqTaken           // in a batch: stored, or in doubt
	reqAbandoned       // the sender gave up first: never stored
)

type postRequest struct {
	msg    NewMessage
	state  atomic.Int32
	result chan postResult // buffered (1): the writer never waits on a sender
}

type postResult struct {
	stored Stored
	err    error
}

type changeRequest struct {
	change MessageChange
	result chan changeResult // buffered (1)
}

type changeResult struct {
	msg chat.Message
	err error
}

// Publisher is told of every committed room event, in position order, on
// the writer's goroutine: so it must not block. A panic in it is logged
// with its stack, and the writer goes on.
type Publisher interface {
	Publish(chat.RoomEvent)
}

// PublishFunc makes a function a Publisher.
type PublishFunc func(chat.RoomEvent)

// Publish calls f(ev).
func (f PublishFunc) Publish(ev chat.RoomEvent) { f(ev) }

type markKey struct{ room, user int64 }

type readMark struct {
	markKey
	last int64
}

// NewWriter returns a writer on store that hands what it commits to pub
// (nil: to nobody), and logs to log.
func NewWriter(store *Store, pub Publisher, log *slog.Logger) *Writer {
	if log == nil {
		log = slog.Default()
	}
	return &Writer{
		store:         store,
		pub:           pub,
		log:           log,
		reqs:          make(chan *postRequest, maxBatch),
		changes:       make(chan *changeRequest, maxBatch),
		done:          make(chan struct{}),
		commitTimeout: commitTimeout,
		marks:         make(map[markKey]int64),
		busyMarks:     busyMarks,
		wake:          make(chan struct{}, 1),
	}
}

// Post validates m, waits until it is committed and returns it as stored.
// A validation error (ErrEmpty, *TooLongError, …) means nothing was stored.
// If ctx ends before the writer took the message, it is never stored and
// Post returns ctx.Err(); if it ends after, Post returns ErrInDoubt (the
// message may yet be stored, and then published). A retry with the same key
// is safe either way.
func (w *Writer) Post(ctx context.Context, m NewMessage) (Stored, error) {
	if err := m.Validate(); err != nil {
		return Stored{}, err
	}
	req := &postRequest{msg: m, result: make(chan postResult, 1)}
	select {
	case w.reqs <- req:
	case <-w.done:
		return Stored{}, ErrWriterClosed
	case <-ctx.Done():
		return Stored{}, ctx.Err()
	}
	select {
	case r := <-req.result:
		return r.stored, r.err
	case <-w.done:
		// Run answers every request it took before closing done; one
		// still in the channel was never taken.
		select {
		case r := <-req.result:
			return r.stored, r.err
		default:
			return Stored{}, ErrWriterClosed
		}
	case <-ctx.Done():
		select {
		case r := <-req.result:
			return r.stored, r.err
		default:
		}
		if req.state.CompareAndSwap(reqWaiting, reqAbandoned) {
			return Stored{}, ctx.Err() // the writer will skip it
		}
		return Stored{}, fmt.Errorf("%w: %w", ErrInDoubt, ctx.Err())
	}
}

// Change validates c, waits until it is committed and returns the message
// as it is after it. Validation errors, ErrNoMessage and ErrNotYours mean
// nothing changed. If ctx ends before the writer took it, nothing changes
// and Change returns ctx.Err(); after, it returns ErrInDoubt (the change
// may be made yet, and then published).
func (w *Writer) Change(ctx context.Context, c MessageChange) (chat.Message, error) {
	if err := c.Validate(); err != nil {
		return chat.Message{}, err
	}
	req := &changeRequest{change: c, result: make(chan changeResult, 1)}
	select {
	case w.changes <- req:
	case <-w.done:
		return chat.Message{}, ErrWriterClosed
	case <-ctx.Done():
		return chat.Message{}, ctx.Err()
	}
	select {
	case r := <-req.result:
		return r.msg, r.err
	case <-w.done:
		select {
		case r := <-req.result:
			return r.msg, r.err
		default:
			return chat.Message{}, ErrWriterClosed
		}
	case <-ctx.Done():
		return chat.Message{}, fmt.Errorf("%w: %w", ErrInDoubt, ctx.Err())
	}
}

// MarkRead records that userID was shown roomID up to lastID. It does not
// wait: the writer stores the newest mark per person and room after its next
// commit, and before it stops.
func (w *Writer) MarkRead(roomID, userID, lastID int64) {
	w.marksHanded.Add(1)
	w.keepMark(markKey{roomID, userID}, lastID)
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run stores batches until ctx ends. Stop senders first: what is still
// queued when ctx ends is answered with ErrWriterClosed; read marks handed
// over before then are stored.
func (w *Writer) Run(ctx context.Context) {
	defer close(w.done)
	batch := make([]*postRequest, 0, maxBatch)
	var (
		marked  time.Time        // when marks were last stored
		markDue <-chan time.Time // set while waiting marks wait for markSpacing
		counted time.Time        // when marksHanded was last taken
		spacing time.Duration    // 0, or markSpacing while marks come fast
	)
	for {
		batch = batch[:0]
		select {
		case <-ctx.Done():
			w.failQueued()
			w.storeMarks(context.Background())
			return
		case req := <-w.reqs:
			batch = w.take(batch, req)
		case req := <-w.changes:
			w.changeSafely(ctx, req)
		case <-w.wake:
		case <-markDue:
			markDue = nil
		}
	more:
		for len(batch) < maxBatch {
			select {
			case req := <-w.reqs:
				batch = w.take(batch, req)
			default:
				break more
			}
		}
		if len(batch) > 0 {
			w.commitSafely(ctx, batch)
		}
		if time.Since(counted) >= time.Second {
			spacing = 0
			if w.marksHanded.Swap(0) >= w.busyMarks {
				spacing = markSpacing
			}
			counted = time.Now()
		}
		if wait := spacing - time.Since(marked); wait <= 0 {
			if w.storeMarks(ctx) {
				marked = time.Now()
			}
		} else if markDue == nil && w.marksWaiting() {
			markDue = time.After(wait)
		}
	}
}

// take adds req to batch unless its sender has given up: a message whose
// sender was told it was not sent must not be stored behind their back.
func (w *Writer) take(batch []*postRequest, req *postRequest) []*postRequest {
	if !req.state.CompareAndSwap(reqWaiting, reqTaken) {
		return batch
	}
	return append(batch, req)
}

func (w *Writer) failQueued() {
	for {
		select {
		case req := <-w.reqs:
			req.result <- postResult{err: ErrWriterClosed}
		case req := <-w.changes:
			req.result <- changeResult{err: ErrWriterClosed}
		default:
			return
		}
	}
}

// commitSafely commits batch; a panic (a bug) is logged with its stack, the
// senders not yet answered get ErrPublish or an error, and the writer goes on.
func (w *Writer) commitSafely(ctx context.Context, batch []*postRequest) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		w.log.Error("message writer panic", "panic", r, "stack", string(debug.Stack()))
		for _, req := range batch {
			select {
			case req.result <- postResult{err: fmt.Errorf("%w: panic: %v", ErrPublish, r)}:
			default: // answered already
			}
		}
	}()
	w.commit(ctx, batch)
}

// commit stores one batch. A row-level error (a constraint: a room deleted
// meanwhile, say) fails the batch as a whole, so each message is then tried
// on its own and one bad message cannot fail its neighbours. Any other error
// says nothing about a message in particular and would only repeat for each
// of them: a busy database fails the batch at once; a timeout or a lost
// connection leaves it in doubt, which resolve settles.
func (w *Writer) commit(ctx context.Context, batch []*postRequest) {
	started := time.Now().Truncate(time.Millisecond)
	stored, err := w.create(batch)
	switch {
	case err == nil:
	case isRowLevel(err) && len(batch) > 1:
		for _, req := range batch {
			w.commit(ctx, []*postRequest{req})
		}
		return
	case isRowLevel(err):
		batch[0].result <- postResult{err: fmt.Errorf("store message: %w", err)}
		return
	case isBusy(err):
		w.log.Warn("message batch not stored: database busy", "messages", len(batch), "err", err)
		w.answerAll(batch, fmt.Errorf("%w: %w", ErrBusy, err))
		return
	default:
		w.log.Warn("message batch in doubt: resolving by key", "messages", len(batch), "err", err)
		if stored, err = w.resolve(ctx, batch, started); err != nil {
			w.log.Error("message batch still in doubt at shutdown", "messages", len(batch), "err", err)
			w.answerAll(batch, fmt.Errorf("%w: %w", ErrInDoubt, err))
			return
		}
	}
	w.publish(stored)
	for i, req := range batch {
		st := stored[i]
		if !st.Created && (st.Message.RoomID != req.msg.RoomID || st.Message.Author != req.msg.Author) {
			req.result <- postResult{err: ErrKeyTaken}
			continue
		}
		req.result <- postResult{stored: st}
	}
}

// create stores batch in one statement, within the commit timeout.
func (w *Writer) create(batch []*postRequest) ([]Stored, error) {
	ctx, cancel := context.WithTimeout(context.Background(), w.commitTimeout)
	defer cancel()
	msgs := make([]NewMessage, len(batch))
	for i, req := range batch {
		msgs[i] = req.msg
	}
	start := time.Now()
	stored, err := w.store.CreateMessages(ctx, msgs)
	if w.Observe != nil {
		w.Observe(len(msgs), time.Since(start), err)
	}
	return stored, err
}

// resolve settles a batch in doubt by storing it again until the database
// answers. Keys make that safe: a message the first attempt stored comes
// back as stored before (Created false), and one it did not is stored now.
// A mere look-up of the keys would not do: the server may still hold the
// first INSERT and run it after the look-up, storing messages that nobody
// would ever publish. It gives up only when ctx ends (shutdown), after
// stopGrace more.
func (w *Writer) resolve(ctx context.Context, batch []*postRequest, started time.Time) ([]Stored, error) {
	backoff := resolveBackoff
	var stop <-chan time.Time
	for {
		stored, err := w.create(batch)
		if err == nil {
			for i := range stored {
				// Whoever stored it, this batch did: publish it now,
				// since nobody has.
				stored[i].Created = stored[i].Created || mine(batch[i], stored[i], started)
			}
			return stored, nil
		}
		if isRowLevel(err) {
			return nil, err
		}
		w.log.Warn("message batch still in doubt: database not answering", "messages", len(batch), "retry_in", backoff, "err", err)
		if stop == nil && ctx.Err() != nil {
			stop = time.After(stopGrace)
		}
		select {
		case <-time.After(backoff):
		case <-stop:
			return nil, err
		}
		backoff = min(2*backoff, resolveBackoffMax)
	}
}

// mine reports whether st, found stored under req's key, was stored by the
// first attempt of req's batch (which began at started), rather than being
// a resend of a message stored, and published, before.
func mine(req *postRequest, st Stored, started time.Time) bool {
	m := st.Message
	return !m.CreatedAt.Before(started) && m.RoomID == req.msg.RoomID && m.Author == req.msg.Author
}

// publish hands the messages this batch created to the publisher, in
// position order, one event per run of messages of one room.
func (w *Writer) publish(stored []Stored) {
	if w.pub == nil {
		return
	}
	var created []chat.Message
	for _, st := range stored {
		if st.Created {
			created = append(created, st.Message)
		}
	}
	slices.SortFunc(created, func(a, b chat.Message) int { return cmp.Compare(a.Pos, b.Pos) })
	for start := 0; start < len(created); {
		end := start + 1
		for end < len(created) && created[end].RoomID == created[start].RoomID {
			end++
		}
		w.pub.Publish(chat.RoomEvent{Change: chat.Post, Room: created[start].RoomID, Messages: created[start:end:end]})
		start = end
	}
}

// changeSafely makes one change, like commitSafely a batch.
func (w *Writer) changeSafely(ctx context.Context, req *changeRequest) {
	defer func() {
		if r := recover(); r != nil {
			w.log.Error("message writer panic", "panic", r, "stack", string(debug.Stack()))
			select {
			case req.result <- changeResult{err: fmt.Errorf("%w: panic: %v", ErrPublish, r)}:
			default:
			}
		}
	}()
	w.change(ctx, req)
}

// change makes one change and publishes the message as it is after it.
// A change that times out or loses its connection is in doubt, as a batch
// can be: the writer then reads the message until the database answers and
// publishes it as it is, so that every page ends up showing what is stored,
// whether the change was made or not.
func (w *Writer) change(ctx context.Context, req *changeRequest) {
	c := req.change
	m, err := w.apply(c)
	switch {
	case err == nil:
	case errors.Is(err, ErrNoMessage), errors.Is(err, ErrNotYours), errors.Is(err, ErrConflict),
		errors.Is(err, ErrTooManyReactions), isRowLevel(err):
		req.result <- changeResult{err: err}
		return
	case isBusy(err):
		w.log.Warn("message change not made: database busy", "err", err)
		req.result <- changeResult{err: fmt.Errorf("%w: %w", ErrBusy, err)}
		return
	default:
		w.log.Warn("message change in doubt: reading the message back", "message", c.MessageID, "err", err)
		m, err = w.readBack(ctx, c)
		if errors.Is(err, ErrNoMessage) {
			req.result <- changeResult{err: err}
			return
		}
		if err != nil {
			w.log.Error("message change still in doubt at shutdown", "message", c.MessageID, "err", err)
			req.result <- changeResult{err: fmt.Errorf("%w: %w", ErrInDoubt, err)}
			return
		}
		w.publishChange(c.Kind, m)
		req.result <- changeResult{msg: m, err: ErrInDoubt}
		return
	}
	w.publishChange(c.Kind, m)
	req.result <- changeResult{msg: m}
}

// apply makes c within the commit timeout.
func (w *Writer) apply(c MessageChange) (chat.Message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), w.commitTimeout)
	defer cancel()
	return w.store.ChangeMessage(ctx, c)
}

// readBack reads the message c was about until the database answers, with
// the backoff of resolve, and as long as ctx (plus stopGrace) allows.
func (w *Writer) readBack(ctx context.Context, c MessageChange) (chat.Message, error) {
	backoff := resolveBackoff
	var stop <-chan time.Time
	for {
		rctx, cancel := context.WithTimeout(context.Background(), w.commitTimeout)
		m, err := w.store.Message(rctx, c.RoomID, c.MessageID)
		cancel()
		if err == nil || errors.Is(err, ErrNoMessage) {
			return m, err
		}
		if stop == nil && ctx.Err() != nil {
			stop = time.After(stopGrace)
		}
		select {
		case <-time.After(backoff):
		case <-stop:
			return chat.Message{}, err
		}
		backoff = min(2*backoff, resolveBackoffMax)
	}
}

func (w *Writer) publishChange(kind chat.Change, m chat.Message) {
	if w.pub != nil {
		w.pub.Publish(chat.RoomEvent{Change: kind, Room: m.RoomID, Messages: []chat.Message{m}})
	}
}

func (w *Writer) answerAll(batch []*postRequest, err error) {
	for _, req := range batch {
		req.result <- postResult{err: err}
	}
}

func (w *Writer) keepMark(k markKey, last int64) {
	w.marksMu.Lock()
	if last > w.marks[k] {
		w.marks[k] = last
	}
	w.marksMu.Unlock()
}

func (w *Writer) marksWaiting() bool {
	w.marksMu.Lock()
	defer w.marksMu.Unlock()
	return len(w.marks) > 0
}

// storeMarks writes the read marks handed over since it last ran, at most
// maxBatch to a statement, and reports whether there were any. Marks that
// could not be stored are kept for the next round (the newest still wins).
func (w *Writer) storeMarks(ctx context.Context) bool {
	w.marksMu.Lock()
	pending := w.marks
	if len(pending) == 0 {
		w.marksMu.Unlock()
		return false
	}
	w.marks = make(map[markKey]int64)
	w.marksMu.Unlock()

	marks := make([]readMark, 0, len(pending))
	for k, last := range pending {
		marks = append(marks, readMark{k, last})
	}
	for chunk := range slices.Chunk(marks, maxBatch) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.commitTimeout)
		err := w.store.markRead(ctx, chunk)
		cancel()
		if err != nil {
			w.log.Warn("store read marks", "marks", len(chunk), "err", err)
			for _, m := range chunk {
				w.keepMark(m.markKey, m.last) // without a wake: tried again after markSpacing
			}
		}
	}
	return true
}
