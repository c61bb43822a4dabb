package main

import (
	"bytes"
	"html"
	"sync/atomic"
	"time"
)

// tally is what one client saw: which messages, how often, in what order,
// how late. Only the client's read loop writes it; received is atomic
// because the wait for stragglers polls it.
type tally struct {
	received   atomic.Int64 // distinct messages
	duplicates int
	outOfOrder int
	rejected   int
	seen       [][]uint64 // seen[s]: bitmap of sender s's message numbers
	newest     []int      // newest[s]: highest number seen from sender s
	latencies  []time.Duration
	last       time.Time // when the last delivery came
}

var (
	bodyStart = []byte(`<p class="body">`)
	bodyEnd   = []byte(`</p>`)
	failed    = []byte(`class="msg failed"`)
)

// take accounts for one charla frame: any number of
// <article class="msg" …><p class="body">TEXT</p></article>, or the error
// that replaces a message the server did not store.
func (t *tally) take(frame []byte, at time.Time) {
	if bytes.Contains(frame, failed) {
		t.rejected++
	}
	for {
		i := bytes.Index(frame, bodyStart)
		if i < 0 {
			return
		}
		frame = frame[i+len(bodyStart):]
		j := bytes.Index(frame, bodyEnd)
		if j < 0 {
			return
		}
		text := frame[:j]
		if bytes.IndexByte(text, '&') >= 0 {
			text = []byte(html.UnescapeString(string(text)))
		}
		t.record(text, at)
		frame = frame[j+len(bodyEnd):]
	}
}

// record accounts for the delivery of one message text. Texts that are not
// ours (history from before the run) are ignored.
func (t *tally) record(text []byte, at time.Time) {
	s, n, sentAt, ok := parseText(text)
	if !ok {
		return
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
		return
	}
	t.seen[s][word] |= bit
	if n < t.newest[s] {
		t.outOfOrder++
	}
	t.newest[s] = max(t.newest[s], n)
	t.latencies = append(t.latencies, at.Sub(time.Unix(0, sentAt)))
	t.last = at
	t.received.Add(1)
}

// parseText reads "load s=SENDER n=NUMBER t=UNIXNANOS", the text every
// sender sends: who sent it, its number from that sender, and when.
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
	if len(b) != 0 || v[0] >= 1<<16 || v[1] >= 1<<24 { // bounds keep a stray text from growing the bitmaps
		return 0, 0, 0, false
	}
	return int(v[0]), int(v[1]), v[2], true
}
