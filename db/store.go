// Package db is charla's storage: hand-written SQL on database/sql through
// the libsql driver, which speaks to a Turso (libSQL) server over HTTP and
// hands file: URLs to the pure-Go modernc SQLite driver.
//
// Every query here runs on both backends. The remote one (Hrana over HTTP)
// answers each request on its own, so nothing here pins a connection or opens
// an interactive transaction: writes that must be atomic are single
// statements (a multi-row INSERT … RETURNING), which SQLite and libSQL both
// run as one implicit transaction.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tursodatabase/libsql-client-go/libsql"
	_ "modernc.org/sqlite" // registers "sqlite", which libsql uses for file: URLs
)

// Store holds the database handle. Its methods are named by what they return.
type Store struct {
	db    *sql.DB
	stmts sync.Map // query text → *sql.Stmt, see prepared
	// index answers searches (see search.go): FTS5 beside a file
	// database, message_words where FTS5 is missing.
	index   index
	indexMu sync.Mutex // one indexing round at a time; guards indexed
	// indexed is the highest message id indexed, once read from the index
	// (indexedKnown): a round then costs one query when nothing is new.
	// Another process indexing too only makes this one index a message
	// again, which changes nothing.
	indexed      int64
	indexedKnown bool
}

const (
	// maxOpenConns caps the pool. Without a cap, a burst (a thousand
	// sockets connecting at once) opened a connection each: thousands of
	// file handles, and memory that stayed. SQLite runs one writer at a time
	// and readers on the cores, so more connections than this only queue
	// inside SQLite instead of in the pool; a server is asked a few round
	// trips at a time per connection anyway.
	maxOpenConns = 16
	// maxIdleConns is how many pooled connections stay open between bursts.
	maxIdleConns = maxOpenConns
	// connMaxIdle closes a pooled connection nobody used for this long, so
	// that after a burst the server's file handles and memory go back to
	// what a quiet server holds; a busy server keeps its connections.
	connMaxIdle = time.Minute
)

// filePragmas run on every new connection to a file database. WAL lets
// readers go on while the writer commits; the busy timeout makes a second
// process wait instead of failing; synchronous=FULL makes a commit survive a
// power cut, which group commit (see Writer) makes cheap: one fsync a batch.
var filePragmas = []string{
	"busy_timeout(5000)",
	"journal_mode(WAL)",
	"synchronous(FULL)",
	"foreign_keys(1)",
}

// Open connects to databaseURL: "file:charla.db" (a local SQLite file) or
// "libsql://…", "https://…", "http://…" (a Turso/libSQL server, which takes
// authToken). It does not migrate; see Migrate.
func Open(ctx context.Context, databaseURL, authToken string) (*Store, error) {
	s, err := openDB(ctx, databaseURL, authToken)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(databaseURL, "file:") {
		// Where the FTS5 index cannot be had (no file, no FTS5), the
		// like index answers the same.
		if ix, err := openFTS(ctx, filePath(databaseURL), s.db); err == nil {
			s.index = ix
		}
	}
	return s, nil
}

// openDB is Open without the file's search index: for tools that only
// copy or check a database (backup), and must leave no index file behind.
func openDB(ctx context.Context, databaseURL, authToken string) (*Store, error) {
	local := strings.HasPrefix(databaseURL, "file:")
	dsn := databaseURL
	var opts []libsql.Option
	if local {
		dsn = withFilePragmas(databaseURL)
	} else if authToken != "" {
		opts = append(opts, libsql.WithAuthToken(authToken))
	}
	connector, err := libsql.NewConnector(dsn, opts...)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", Redact(databaseURL), err)
	}
	db := sql.OpenDB(connector)
	// database/sql keeps 2 idle connections by default: under a burst of
	// page loads the rest were closed and reopened, each time re-running
	// the pragmas (a fifth of the CPU of setting up a connection).
	db.SetMaxIdleConns(maxIdleConns)
	db.SetMaxOpenConns(maxOpenConns)
	db.SetConnMaxIdleTime(connMaxIdle)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", Redact(databaseURL), err)
	}
	return &Store{db: db, index: likeIndex{db}}, nil
}

// Close closes the prepared statements and the database handle.
func (s *Store) Close() error {
	s.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	s.index.close()
	return s.db.Close()
}

// prepared returns query as a statement prepared once and reused: the
// queries of every page load and socket connect are parsed once, not on
// each call (by SQLite for a file, by the driver's SQL parser for a
// server). database/sql prepares it again on each pooled connection as
// needed.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close() // another caller prepared it meanwhile
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// query runs a prepared query.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// exec runs a prepared statement.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// DB returns the handle, for migrations and tests.
func (s *Store) DB() *sql.DB { return s.db }

func withFilePragmas(fileURL string) string {
	sep := "?"
	if strings.Contains(fileURL, "?") {
		sep = "&"
	}
	var b strings.Builder
	b.WriteString(fileURL)
	for _, p := range filePragmas {
		b.WriteString(sep)
		b.WriteString("_pragma=")
		b.WriteString(url.QueryEscape(p))
		sep = "&"
	}
	return b.String()
}

// Redact returns databaseURL without credentials or query parameters, fit
// for a log line: a token pasted into the URL must never reach the log.
func Redact(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "(unparsable database URL)"
	}
	if u.Scheme == "file" {
		if u.Opaque != "" {
			return "file:" + u.Opaque
		}
		return "file:" + u.Path
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}
