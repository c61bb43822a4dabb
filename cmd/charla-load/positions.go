package main

import (
	"bytes"
	"hash/fnv"
	"html"
	"strconv"

	"github.com/charla/charla/chat"
)

// Room positions: every change to a room (a message posted, edited,
// deleted, reacted to) takes the room's next position, 1, 2, 3…, and each
// article a frame carries says, in data-pos, the position of the last
// change to its message. A client whose socket stayed open must read each
// position after the cursor it connected with exactly once, in increasing
// order; one that reconnected gets, for what it missed, each changed
// message once as it is now, so the positions a later change superseded
// are legitimately never sent to it.

// article is what a client reads of one message in a frame.
type article struct {
	id, pos int64
	key     []byte // data-key: the message's one-time key
	body    []byte // the text as written (unescaped); empty if deleted
	fp      uint64 // fingerprint of what it shows: see fingerprint
}

var (
	articleStart = []byte(`<article`)
	articleEnd   = []byte(`</article>`)
	posAttr      = []byte(`data-pos="`)
	keyAttr      = []byte(`data-key="`)
	deletedClass = []byte(`class="msg deleted"`)
	emojiAttr    = []byte(`name="emoji" value="`)
	countStart   = []byte(`<span class="count">`)
)

// articles yields the stored messages of a frame (an article with data-id
// and data-pos; a failed message's article has neither).
func articles(frame []byte, yield func(article)) {
	for {
		i := bytes.Index(frame, articleStart)
		if i < 0 {
			return
		}
		frame = frame[i:]
		j := bytes.Index(frame, articleEnd)
		if j < 0 {
			return
		}
		a, ok := parseArticle(frame[:j])
		frame = frame[j+len(articleEnd):]
		if ok {
			yield(a)
		}
	}
}

func parseArticle(b []byte) (article, bool) {
	var a article
	var err error
	id, ok1 := firstAttr(b, dataID)
	pos, ok2 := firstAttr(b, posAttr)
	if !ok1 || !ok2 {
		return a, false
	}
	if a.id, err = strconv.ParseInt(string(id), 10, 64); err != nil {
		return a, false
	}
	if a.pos, err = strconv.ParseInt(string(pos), 10, 64); err != nil {
		return a, false
	}
	a.key, _ = firstAttr(b, keyAttr)
	deleted := bytes.Contains(b, deletedClass)
	if !deleted {
		if _, rest, ok := bytes.Cut(b, bodyStart); ok {
			if text, _, ok := bytes.Cut(rest, bodyEnd); ok {
				a.body = text
				if bytes.IndexByte(text, '&') >= 0 {
					a.body = []byte(html.UnescapeString(string(text)))
				}
			}
		}
	}
	var reactions []reactionCount
	for rest := b; ; {
		_, after, ok := bytes.Cut(rest, emojiAttr)
		if !ok {
			break
		}
		emoji, after, _ := bytes.Cut(after, []byte(`"`))
		_, after, _ = bytes.Cut(after, countStart)
		n, after, _ := bytes.Cut(after, []byte(`<`))
		count, _ := strconv.Atoi(string(n))
		reactions = append(reactions, reactionCount{html.UnescapeString(string(emoji)), count})
		rest = after
	}
	a.fp = fingerprint(a.body, deleted, reactions)
	return a, true
}

func firstAttr(b, prefix []byte) ([]byte, bool) {
	for v := range attrValues(b, prefix) {
		return v, true
	}
	return nil, false
}

type reactionCount struct {
	emoji string
	count int
}

// fingerprint sums up what a message shows: its text, whether it is
// deleted, and each reaction with its count, in order.
func fingerprint(body []byte, deleted bool, reactions []reactionCount) uint64 {
	h := fnv.New64a()
	if deleted {
		h.Write([]byte{1})
	} else {
		h.Write([]byte{0})
		h.Write(body)
	}
	for _, r := range reactions {
		h.Write([]byte{0})
		h.Write([]byte(r.emoji))
		h.Write([]byte{':'})
		h.Write([]byte(strconv.Itoa(r.count)))
	}
	return h.Sum64()
}

// storedFingerprint is fingerprint of a message as the database has it.
func storedFingerprint(m chat.Message) uint64 {
	var rs []reactionCount
	for _, r := range m.Reactions {
		rs = append(rs, reactionCount{r.Emoji, len(r.People)})
	}
	body := []byte(m.Body)
	if m.Deleted {
		body = nil
	}
	return fingerprint(body, m.Deleted, rs)
}

// shown is the last state of a message a client read.
type shown struct {
	pos int64
	fp  uint64
}

// positions is one client's account of its room's positions.
type positions struct {
	from       int64    // the cursor the client first connected with
	last       int64    // the newest position read
	seen       []uint64 // bitmap of positions from+1…
	duplicates int
	outOfOrder int
	final      map[int64]shown // message id → the last state read
}

func (p *positions) start(cursor int64) {
	p.from, p.last = cursor, cursor
	p.final = map[int64]shown{}
}

// take accounts for an article's position; confirmation says whether the
// article is the server's answer to a message this client sent again (a
// repeat meant for it alone, not a duplicate). It reports whether the
// client had never read that message before (first), or has read it and
// this is a later change to it (changed).
func (p *positions) take(a article, confirmation func(key []byte) bool) (first, changed bool) {
	if p.final == nil {
		p.final = map[int64]shown{}
	}
	prev, known := p.final[a.id]
	first, changed = !known, known && a.pos > prev.pos
	if !known || a.pos >= prev.pos {
		p.final[a.id] = shown{a.pos, a.fp}
	}
	if a.pos <= p.from {
		return first, changed // from the history before the client connected
	}
	k := a.pos - p.from - 1
	word, bit := int(k/64), uint64(1)<<(k%64)
	for len(p.seen) <= word {
		p.seen = append(p.seen, 0)
	}
	switch {
	case p.seen[word]&bit != 0:
		if !confirmation(a.key) {
			p.duplicates++
		}
		return first, changed
	case a.pos < p.last:
		p.outOfOrder++
	}
	p.seen[word] |= bit
	p.last = max(p.last, a.pos)
	return first, changed
}

func (p *positions) has(pos int64) bool {
	k := pos - p.from - 1
	word := int(k / 64)
	return k >= 0 && word < len(p.seen) && p.seen[word]&(uint64(1)<<(k%64)) != 0
}

// roomState is a room as the database has it at the end: its newest
// position, and each message with the position of its last change.
type roomState struct {
	newest  int64
	current map[int64]bool // positions that are some message's last change
	msgs    []chat.Message
	known   bool // read from the database (else newest is the newest any client read)
}

// verdict is what checking one client against its room found.
type verdict struct {
	expected  int64 // positions after the client's cursor
	received  int64 // of which read
	missing   int64 // not read, and not excused
	skipped   int64 // not read after a reconnect: superseded, replayed as the message is now
	checked   int   // messages whose final state was compared
	mismatch  int   // of which the client's last read differs from the database
	mismatchE []int64
}

// check compares what p read with the room at the end. A client that
// never reconnected must have read every position; one that reconnected
// must have read every position that is still some message's last change
// (the others it was owed only as their message's current state).
func (p *positions) check(room roomState, reconnected bool) verdict {
	var v verdict
	if room.newest > p.from {
		v.expected = room.newest - p.from
	}
	for pos := p.from + 1; pos <= room.newest; pos++ {
		switch {
		case p.has(pos):
			v.received++
		case reconnected && (!room.known || !room.current[pos]):
			v.skipped++
		default:
			v.missing++
		}
	}
	for _, m := range room.msgs {
		if m.Pos <= p.from {
			continue
		}
		v.checked++
		if got := p.final[m.ID]; got.pos != m.Pos || got.fp != storedFingerprint(m) {
			v.mismatch++
			if len(v.mismatchE) < 3 {
				v.mismatchE = append(v.mismatchE, m.ID)
			}
		}
	}
	return v
}
