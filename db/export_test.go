package db

import "time"

// SetCommitTimeout shortens w's commit timeout, so that tests of a hung
// database need not wait the production one out.
func (w *Writer) SetCommitTimeout(d time.Duration) { w.commitTimeout = d }
