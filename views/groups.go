package views

import (
	"strconv"
	"time"

	"github.com/charla/charla/chat"
)

// Groups. Consecutive messages from one person within GroupWithin of each
// other show under one name: a message that continues its author's group
// carries data-grouped, and the CSS hides its name and initials (a screen
// reader still hears the name). A day's first message always begins a
// group. Whether a message continues a group depends on the message before
// it on the reader's page, which a fragment (rendered once for every
// reader) cannot know: charla.js groups the page's messages as they arrive,
// are replaced or load above, by each one's data-author and <time
// datetime>, in the reader's zone. Full pages come grouped by the server
// (in its zone), the fallback without script. Like day labels, it is an
// attribute, so hx-upsert's id-ordered insertion is never disturbed.

// GroupWithin is how far apart two messages from one person may be and
// still be shown as one group. The page reads it from #messages'
// data-group-within (seconds).
const GroupWithin = 5 * time.Minute

// continuesGroup reports whether m, shown right after prev, continues
// prev's group: same author, same day, at most GroupWithin later.
func continuesGroup(prev, m chat.Message) bool {
	gap := m.CreatedAt.Sub(prev.CreatedAt)
	return m.Author == prev.Author && gap >= 0 && gap <= GroupWithin &&
		sameDay(m.CreatedAt, prev.CreatedAt.In(m.CreatedAt.Location()))
}

// groupWithinSeconds is GroupWithin as #messages' data-group-within says it.
func groupWithinSeconds() string { return strconv.Itoa(int(GroupWithin / time.Second)) }
