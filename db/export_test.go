package db

import "time"

// SetCommitTimeout shortens w's commit timeout, so that tests of a hung
// database need not wait the production one out.
func (w *Writer) SetCommitTimeout(d time.Duration) { w.commitTimeout = d }

// SetBusyMarks sets how many read marks a second make the writer space
// its statements of marks.
func (w *Writer) SetBusyMarks(n int64) { w.busyMarks = n }

// UseLikeIndex makes s answer searches from message_words, as a database
// without FTS5 does, so that tests compare both paths on one file.
func (s *Store) UseLikeIndex() {
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	s.index.close()
	s.index = likeIndex{s.db}
	s.indexedKnown = false
}

// FTSSchema is the FTS5 table's definition, which names the benchmark's
// cached database.
const FTSSchema = ftsSchema
