package db

import "strings"

// isRowLevel tells an error caused by one row of a statement (a constraint:
// a foreign key to a room deleted meanwhile, say) from one of the database
// as a whole (a timeout, a lost connection, a full disk), in the words of
// both SQLite and libSQL servers.
func isRowLevel(err error) bool {
	return err != nil && strings.Contains(strings.ToLower(err.Error()), "constraint")
}

// isBusy tells that a statement was refused because another connection held
// the write lock past the busy timeout: it did nothing, and a retry later
// may succeed.
func isBusy(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "SQLITE_BUSY") || strings.Contains(s, "database is locked")
}
