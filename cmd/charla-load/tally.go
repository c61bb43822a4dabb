package main

import (
	"bytes"
	"sync"
	"sync/atomic"
	"time"
)

// tally is what one client saw: which messages, how often, in what order,
// how late; and which room positions (see positions.go). Only the client's
// read loop writes it; received is atomic because the wait for stragglers
// polls it.
type tally struct {
	received        atomic.Int64 // distinct messages
	changesRead     atomic.Int64 // changes to messages read (each position once)
	duplicates      int
	outOfOrder      int
	rejected        int
	changesRejected int        // changes the server answered with a problem
	seen            [][]uint64 // seen[s]: bitmap of sender s's message numbers
	newest          []int      // newest[s]: highest number seen from sender s
	samples         []sample
	last            time.Time // when the last delivery came
	pos             positions

	// Set when the client opens.
	inst, instances int        // which of the instances the client is on, of how many
	changes         *changeLog // when each change was sent, for its latency
	// confirmation says whether an article with this key answers a message
	// the client sent again; learn hears of each message read the first time.
	confirmation func(key []byte) bool
	learn        func(a article, sender int)
}

// sample is one delivery's latency, and what kind of delivery it was.
type sample struct {
	d     time.Duration
	flags uint8
}

const (
	crossInstance uint8 = 1 << iota // sender and receiver on different instances
	ofChange                        // a change to a message, not a new one
)

var (
	bodyStart = []byte(`<p class="body">`)
	bodyEnd   = []byte(`</p>`)
	failed    = []byte(`class="msg failed"`)
	notice    = []byte(`<p id="notice" class="notice" role="alert" hx-swap-oob="outerHTML">`)
)

// take accounts for one charla frame: any number of
// <article class="msg" data-id=… data-pos=…>…</article> (new messages, or
// messages as they are after a change), the error that replaces a message
// the server did not store, or the notice that says why a change was not
// made.
func (t *tally) take(frame []byte, at time.Time) {
	if bytes.Contains(frame, failed) {
		t.rejected++
	}
	if _, rest, ok := bytes.Cut(frame, notice); ok && !bytes.HasPrefix(rest, bodyEnd) {
		t.changesRejected++
	}
	articles(frame, func(a article) {
		first, changed := t.pos.take(a, t.confirmation)
		switch {
		case first:
			if s, ok := t.record(a.body, at); ok && t.learn != nil {
				t.learn(a, s)
			}
		case changed:
			t.changed(a, at)
		}
	})
}

// changed accounts for a change to a message the client had read.
func (t *tally) changed(a article, at time.Time) {
	t.changesRead.Add(1)
	t.last = at
	if t.changes == nil {
		return
	}
	if c, ok := t.changes.read(a.id, a.pos); ok {
		t.samples = append(t.samples, sample{at.Sub(c.at), ofChange | t.cross(c.sender)})
	}
}

func (t *tally) cross(sender int) uint8 {
	if t.instances > 1 && sender%t.instances != t.inst {
		return crossInstance
	}
	return 0
}

// record accounts for the delivery of one message text, and returns its
// sender. Texts that are not ours (history from before the run) are
// ignored.
func (t *tally) record(text []byte, at time.Time) (int, bool) {
	s, n, sentAt, ok := parseText(text)
	if !ok {
		return 0, false
	}
	for len(t.seen) <= s {
		t.seen = append(t.seen, nil)
		t.newest = append(t.newest, -1)
	}
	word, bit := n/64, uint64(1)<<(n%64)
	for len(t.seen[s]) <= word {
		t.seen[s] = append(t.seen[s], 0)
	}
	if t.seen[s][word]&bit != 0 {
		t.duplicates++
		return s, true
	}
	t.seen[s][word] |= bit
	if n < t.newest[s] {
		t.outOfOrder++
	}
	t.newest[s] = max(t.newest[s], n)
	t.samples = append(t.samples, sample{at.Sub(time.Unix(0, sentAt)), t.cross(s)})
	t.last = at
	t.received.Add(1)
	return s, true
}

// changeLog is when each change was sent and by whom, for the latency of
// its deliveries. A change's frame names no time, so the first client to
// read a change to message id takes the oldest change sent to it and not
// yet read; every client reading that position then measures from it.
type changeLog struct {
	mu      sync.Mutex
	pending map[int64][]sentChange // by message id: sent, not yet read by anyone
	byPos   map[[2]int64]sentChange
}

type sentChange struct {
	at     time.Time
	sender int
}

func newChangeLog() *changeLog {
	return &changeLog{pending: map[int64][]sentChange{}, byPos: map[[2]int64]sentChange{}}
}

func (l *changeLog) sent(id int64, sender int, at time.Time) {
	l.mu.Lock()
	l.pending[id] = append(l.pending[id], sentChange{at, sender})
	l.mu.Unlock()
}

// unsent forgets the newest change sent to id: its frame did not go out.
func (l *changeLog) unsent(id int64) {
	l.mu.Lock()
	if p := l.pending[id]; len(p) > 0 {
		l.pending[id] = p[:len(p)-1]
	}
	l.mu.Unlock()
}

func (l *changeLog) read(id, pos int64) (sentChange, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := [2]int64{id, pos}
	if c, ok := l.byPos[key]; ok {
		return c, true
	}
	p := l.pending[id]
	if len(p) == 0 {
		return sentChange{}, false
	}
	l.byPos[key], l.pending[id] = p[0], p[1:]
	return p[0], true
}

// parseText reads "load s=SENDER n=NUMBER t=UNIXNANOS", the text every
// sender sends: who sent it, its number from that sender, and when; an
// edit of it appends " e=EDIT".
func parseText(b []byte) (sender, n int, sentAt int64, ok bool) {
	var v [3]int64
	for i, name := range [...]string{"load s=", " n=", " t="} {
		if !bytes.HasPrefix(b, []byte(name)) {
			return 0, 0, 0, false
		}
		b = b[len(name):]
		digits := 0
		for digits < len(b) && '0' <= b[digits] && b[digits] <= '9' && digits < 19 {
			v[i] = v[i]*10 + int64(b[digits]-'0')
			digits++
		}
		if digits == 0 {
			return 0, 0, 0, false
		}
		b = b[digits:]
	}
	if rest, ok := bytes.CutPrefix(b, []byte(" e=")); ok && len(rest) > 0 && len(bytes.Trim(rest, "0123456789")) == 0 {
		b = nil // an edit: the message is still the one first sent
	}
	if len(b) != 0 || v[0] >= 1<<16 || v[1] >= 1<<24 { // bounds keep a stray text from growing the bitmaps
		return 0, 0, 0, false
	}
	return int(v[0]), int(v[1]), v[2], true
}
