package db

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

var (
	// ErrWriterClosed: the writer has stopped (the server is shutting down).
	ErrWriterClosed = errors.New("message writer has stopped")
	// ErrKeyTaken: the key belongs to a message of another room or author.
	// Keys are random, so this is a forged or broken client; answering with
	// the other message would leak it.
	ErrKeyTaken = errors.New("message key belongs to another message")
)

const (
	// maxBatch bounds one INSERT: 6 parameters a row stays far below
	// SQLite's 32,766 and keeps a Hrana request small.
	maxBatch = 512
	// commitTimeout bounds one batch, whatever the senders' contexts say.
	commitTimeout = 10 * time.Second
)

// Writer stores messages with group commit. Senders call Post from many
// goroutines; one goroutine (Run) takes whatever is waiting, stores it in one
// statement, then calls onCommit with the new messages in id order, then
// answers each sender. So:
//   - nobody is told "sent" before the message is committed;
//   - messages are published in the order of their ids, which recovery
//     ("everything after id N") depends on;
//   - under load a commit (and its fsync, or its round trip to Turso) is
//     shared by every message that arrived while the previous one ran.
//
// There is no timer: a lone message is stored at once, and batches grow by
// themselves when commits are the bottleneck.
type Writer struct {
	store    *Store
	onCommit func([]Message)
	reqs     chan *postRequest
	done     chan struct{}
}

type postRequest struct {
	msg    NewMessage
	result chan postResult // buffered (1): the writer never waits on a sender
}

type postResult struct {
	stored Stored
	err    error
}

// NewWriter returns a writer on store. onCommit, if not nil, runs on the
// writer's goroutine after each commit; it must not block.
func NewWriter(store *Store, onCommit func([]Message)) *Writer {
	return &Writer{
		store:    store,
		onCommit: onCommit,
		reqs:     make(chan *postRequest, maxBatch),
		done:     make(chan struct{}),
	}
}

// Post validates m, waits until it is committed and returns it as stored.
// A validation error (ErrEmpty, *TooLongError, …) means nothing was stored.
// If ctx ends first the message may or may not be stored; a retry with the
// same key is safe either way.
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
		return Stored{}, ctx.Err()
	}
}

// Run stores batches until ctx ends. Stop senders first: what is still
// queued when ctx ends is answered with ErrWriterClosed.
func (w *Writer) Run(ctx context.Context) {
	defer close(w.done)
	batch := make([]*postRequest, 0, maxBatch)
	for {
		select {
		case <-ctx.Done():
			w.failQueued()
			return
		case req := <-w.reqs:
			batch = append(batch[:0], req)
		}
	more:
		for len(batch) < maxBatch {
			select {
			case req := <-w.reqs:
				batch = append(batch, req)
			default:
				break more
			}
		}
		w.commit(batch)
	}
}

func (w *Writer) failQueued() {
	for {
		select {
		case req := <-w.reqs:
			req.result <- postResult{err: ErrWriterClosed}
		default:
			return
		}
	}
}

// commit stores one batch. If the batch fails as a whole, each message is
// tried on its own, so that one bad message cannot fail its neighbours.
func (w *Writer) commit(batch []*postRequest) {
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	msgs := make([]NewMessage, len(batch))
	for i, req := range batch {
		msgs[i] = req.msg
	}
	stored, err := w.store.CreateMessages(ctx, msgs)
	if err != nil && len(batch) > 1 {
		for _, req := range batch {
			w.commit([]*postRequest{req})
		}
		return
	}
	if err != nil {
		batch[0].result <- postResult{err: fmt.Errorf("store message: %w", err)}
		return
	}
	if w.onCommit != nil {
		var created []Message
		for _, st := range stored {
			if st.Created {
				created = append(created, st.Message)
			}
		}
		slices.SortFunc(created, func(a, b Message) int { return cmp.Compare(a.ID, b.ID) })
		if len(created) > 0 {
			w.onCommit(created)
		}
	}
	for i, req := range batch {
		st := stored[i]
		if !st.Created && (st.Message.RoomID != req.msg.RoomID || st.Message.Author != req.msg.Author) {
			req.result <- postResult{err: ErrKeyTaken}
			continue
		}
		req.result <- postResult{stored: st}
	}
}
