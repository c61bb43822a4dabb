package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/search"
)

// Search finds messages for a person: package search says what matches;
// this file keeps an index of every message's folded words and asks it.
//
// There are two indexes, with the same contents and the same answers:
//
//   - ftsIndex, for a file database: an FTS5 table (prefix queries) in a
//     file of its own beside the database (charla-search.db beside
//     charla.db). Not in the database file: tursodb, which serves such a
//     file as a Turso-protocol server, has no FTS5, and stops reading the
//     schema at an FTS5 table, so every table created after it (the next
//     migrations') would be missing there.
//   - likeIndex, where FTS5 is missing (a libSQL/Turso server): the
//     message_words table, matched with instr(words, ' ' || term).
//
// Neither is kept by triggers over messages: the application indexes what
// is new, in id order, and what the messages_search_edit trigger queued
// (edits and deletes change a message's body). A search first brings the
// index up to date, so it always sees every committed message as it is
// now (but for a backlog, see Search); KeepSearchIndexed does the same in
// the background so that the search itself finds little to do.
//
// Who may read what: a search covers exactly the rooms the person is a
// member of (public, private or direct), the rooms whose messages the room
// page shows them. A public room they have not joined is not searched, as
// its page shows them only "join to read"; a room they left or were
// removed from is not searched either. The like index checks them in its
// one query; with FTS5, the index file is asked about the person's rooms
// and the database checks the membership again as it reads the messages.

// Search limits.
const (
	// SearchPageSize is how many results a page of results holds.
	SearchPageSize = 20
	// indexBatch is how many messages one indexing round reads and writes
	// (about 25 ms on a file).
	indexBatch = 500
	// searchIndexRounds is how many rounds a search may index before it
	// searches: what the background indexer has not done yet, normally a
	// round or none. A longer backlog (after an upgrade) would not fit in
	// a request's time.
	searchIndexRounds = 4
	// SearchIndexEvery is how often KeepSearchIndexed looks for messages
	// to index: a search brings the index up to date itself, so this only
	// keeps that work small.
	SearchIndexEvery = 2 * time.Second
)

// index is one of the two search indexes.
type index interface {
	// Kind is "fts5" or "like", for logs and tests.
	Kind() string
	// last returns the highest message id indexed (0: none).
	last(ctx context.Context) (int64, error)
	// put indexes rows, replacing what was indexed for the same ids.
	put(ctx context.Context, rows []indexRow) error
	// find returns up to limit messages below before, newest first, in
	// rooms userID is a member of, not deleted, whose words every term
	// begins.
	find(ctx context.Context, userID int64, terms []string, before int64, limit int) ([]chat.Message, error)
	// reset empties the index.
	reset(ctx context.Context) error
	close() error
}

type indexRow struct {
	id, room int64
	words    string // search.Indexed(body)
}

// SearchKind says which index answers searches: "fts5" or "like".
func (s *Store) SearchKind() string { return s.index.Kind() }

// SearchResults is a page of results.
type SearchResults struct {
	Hits []chat.Message // newest first
	More bool           // there are older ones, below the last hit's id
	// Partial: the index was still catching up (a long history being
	// indexed after an upgrade), so some messages were not searched.
	Partial bool
}

// Search returns up to limit messages below before (newest first when
// before is 0) that q matches, from the rooms userID is a member of,
// newest first. It first indexes what is new, up to searchIndexRounds
// batches: a backlog longer than that is the background indexer's.
func (s *Store) Search(ctx context.Context, userID int64, q search.Query, before int64, limit int) (SearchResults, error) {
	var res SearchResults
	if len(q.Terms) == 0 || limit <= 0 {
		return res, nil
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	done, err := s.indexRounds(ctx, searchIndexRounds)
	if err != nil {
		return res, err
	}
	res.Partial = !done
	hits, err := s.index.find(ctx, userID, q.Terms, before, limit+1)
	if err != nil {
		return res, fmt.Errorf("search: %w", err)
	}
	res.More = len(hits) > limit
	res.Hits = hits[:min(limit, len(hits))]
	return res, nil
}

// hitColumns are what a search result shows of a message (m).
const hitColumns = `m.id, m.room_id, COALESCE(m.user_id, 0), m.client_key, m.author, m.body, m.created_at`

// readable reads the messages with ids from the database, newest first,
// keeping only those still readable by userID (a member of its room) and
// not deleted: the index is in another file, and a membership may have
// ended since it was asked.
func readable(ctx context.Context, db *sql.DB, userID int64, ids []int64) ([]chat.Message, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{userID}
	for _, id := range ids {
		args = append(args, id)
	}
	return queryHits(ctx, db,
		`SELECT `+hitColumns+` FROM messages m
		 WHERE EXISTS (SELECT 1 FROM memberships ms WHERE ms.room_id = m.room_id AND ms.user_id = ?)
		   AND m.body != '' AND m.id IN (`+placeholders(len(ids))+`)
		 ORDER BY m.id DESC`, args...)
}

func queryHits(ctx context.Context, db *sql.DB, query string, args ...any) ([]chat.Message, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.Message
	for rows.Next() {
		var m chat.Message
		var at int64
		if err := rows.Scan(&m.ID, &m.RoomID, &m.UserID, &m.Key, &m.Author, &m.Body, &at); err != nil {
			return nil, err
		}
		m.CreatedAt = time.UnixMilli(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// IndexSearch brings the search index up to date: every message after the
// last one indexed, then every message whose body changed since.
func (s *Store) IndexSearch(ctx context.Context) error {
	_, err := s.indexRounds(ctx, math.MaxInt)
	return err
}

// indexRounds runs up to rounds indexing rounds and says whether the index
// is up to date. The lock is taken a round at a time, so a search waits
// for one round of the background indexer at most, not for its backlog.
func (s *Store) indexRounds(ctx context.Context, rounds int) (bool, error) {
	for range rounds {
		done, err := s.indexRound(ctx)
		if err != nil {
			return false, fmt.Errorf("index search: %w", err)
		}
		if done {
			return true, nil
		}
	}
	return false, nil
}

// indexRound indexes one batch: the messages after the last one indexed,
// in id order, while there are any; then the messages the edit trigger
// queued. It says whether there was nothing left to do.
func (s *Store) indexRound(ctx context.Context) (bool, error) {
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	if !s.indexedKnown {
		last, err := s.indexStart(ctx)
		if err != nil {
			return false, err
		}
		s.indexed, s.indexedKnown = last, true
	}
	last := s.indexed
	rows, err := s.indexRows(ctx,
		`SELECT id, room_id, body FROM messages WHERE id > ? ORDER BY id LIMIT ?`, last, indexBatch)
	if err != nil {
		return false, err
	}
	if len(rows) > 0 {
		if err := s.index.put(ctx, rows); err != nil {
			return false, err
		}
		s.indexed = rows[len(rows)-1].id
		return false, nil
	}
	handled, err := s.indexChanged(ctx, last)
	return handled == 0, err
}

// indexStart reads how far the index got. An index ahead of the database
// is of another database (the database file was restored from a backup,
// the index file was not) and would skip the messages that reuse its ids:
// it is emptied and built again.
func (s *Store) indexStart(ctx context.Context) (int64, error) {
	last, err := s.index.last(ctx)
	if err != nil || last == 0 {
		return last, err
	}
	var newest int64
	err = s.db.QueryRowContext(ctx, `SELECT id FROM messages ORDER BY id DESC LIMIT 1`).Scan(&newest)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	if last <= newest {
		return last, nil
	}
	return 0, s.index.reset(ctx)
}

// indexChanged indexes again a batch of the messages the edit trigger
// queued, up to last (all there are: indexRound found nothing newer);
// one queued after that is new to the next round, which reads its body as
// it is then. A queued row is removed once handled; an edit meanwhile
// queues another. It returns how many queued rows it handled.
func (s *Store) indexChanged(ctx context.Context, last int64) (int, error) {
	var seq int64
	var ids []any
	n := 0
	q, err := s.db.QueryContext(ctx, `SELECT seq, message_id FROM search_queue ORDER BY seq LIMIT ?`, indexBatch)
	if err != nil {
		return 0, err
	}
	for q.Next() {
		var id int64
		if err := q.Scan(&seq, &id); err != nil {
			q.Close()
			return 0, err
		}
		n++
		if id <= last && !slices.Contains(ids, any(id)) {
			ids = append(ids, id)
		}
	}
	q.Close()
	if err := q.Err(); err != nil || n == 0 {
		return 0, err
	}
	if err := s.reindex(ctx, ids); err != nil {
		return 0, err
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM search_queue WHERE seq <= ?`, seq); err != nil {
		return 0, err
	}
	return n, nil
}

// reindex indexes the messages with ids as they are now; an id whose
// message is gone is indexed with no words.
func (s *Store) reindex(ctx context.Context, ids []any) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := s.indexRows(ctx, `SELECT id, room_id, body FROM messages WHERE id IN (`+placeholders(len(ids))+`)`, ids...)
	if err != nil {
		return err
	}
	found := make(map[int64]bool, len(rows))
	for _, r := range rows {
		found[r.id] = true
	}
	for _, id := range ids {
		if !found[id.(int64)] {
			rows = append(rows, indexRow{id: id.(int64)})
		}
	}
	return s.index.put(ctx, rows)
}

func (s *Store) indexRows(ctx context.Context, query string, args ...any) ([]indexRow, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []indexRow
	for rows.Next() {
		var r indexRow
		var body string
		if err := rows.Scan(&r.id, &r.room, &body); err != nil {
			return nil, err
		}
		r.words = search.Indexed(body)
		out = append(out, r)
	}
	return out, rows.Err()
}

// KeepSearchIndexed indexes new and changed messages every
// SearchIndexEvery until ctx ends, so that a search has little left to do
// (after an upgrade, the whole history is indexed here, in batches).
func (s *Store) KeepSearchIndexed(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(SearchIndexEvery)
	defer t.Stop()
	for {
		if err := s.IndexSearch(ctx); err != nil && ctx.Err() == nil {
			log.Warn("search indexing failed; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// likeIndex is message_words in the database itself (migration 00007).
type likeIndex struct{ db *sql.DB }

func (likeIndex) Kind() string { return "like" }

func (ix likeIndex) last(ctx context.Context) (int64, error) {
	var last int64
	// Not MAX(): tursodb reads the whole table for it (26 ms on 100,000).
	err := ix.db.QueryRowContext(ctx, `SELECT message_id FROM message_words ORDER BY message_id DESC LIMIT 1`).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return last, err
}

func (ix likeIndex) put(ctx context.Context, rows []indexRow) error {
	args := make([]any, 0, 3*len(rows))
	for _, r := range rows {
		args = append(args, r.id, r.room, r.words)
	}
	_, err := ix.db.ExecContext(ctx,
		`INSERT INTO message_words (message_id, room_id, words) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(rows)), ", ")+
			` ON CONFLICT (message_id) DO UPDATE SET words = excluded.words`, args...)
	return err
}

// find is one query (one round trip to a server): the index, the rooms
// and the messages are in one database.
func (ix likeIndex) find(ctx context.Context, userID int64, terms []string, before int64, limit int) ([]chat.Message, error) {
	var q strings.Builder
	q.WriteString(`SELECT ` + hitColumns + ` FROM message_words w JOIN messages m ON m.id = w.message_id
		WHERE w.room_id IN (SELECT room_id FROM memberships WHERE user_id = ?) AND w.message_id < ?`)
	args := []any{userID, before}
	for _, t := range terms {
		q.WriteString(` AND instr(w.words, ?) > 0`)
		args = append(args, " "+t)
	}
	q.WriteString(` AND m.body != '' ORDER BY w.message_id DESC LIMIT ?`)
	args = append(args, limit)
	return queryHits(ctx, ix.db, q.String(), args...)
}

func (ix likeIndex) reset(ctx context.Context) error {
	_, err := ix.db.ExecContext(ctx, `DELETE FROM message_words`)
	return err
}

func (likeIndex) close() error { return nil }

func queryIDs(ctx context.Context, db *sql.DB, query string, args ...any) ([]int64, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ftsIndex is an FTS5 table in its own file. The ascii tokenizer splits
// only at ASCII spaces and punctuation, so it sees exactly the words
// search.Indexed wrote; prefix='2 3 4 5 6' keeps every prefix of up to
// ftsPrefixMax characters in the index (see ftsQuery; it makes the index
// file 1.3 times as big as with none); detail=none: no phrase queries are
// asked, so positions are not kept.
type ftsIndex struct {
	db   *sql.DB // the index file
	main *sql.DB // the database, for memberships
}

const ftsSchema = `CREATE VIRTUAL TABLE IF NOT EXISTS message_fts
	USING fts5(words, room_id UNINDEXED, tokenize = 'ascii', prefix = '2 3 4 5 6', detail = none)`

// ftsPrefixMax is the longest prefix index of message_fts, in characters.
const ftsPrefixMax = 6

// ftsMaxConns: searches read the index file at once; one writes.
const ftsMaxConns = 4

// openFTS opens (creating it if need be) the FTS5 index beside the file
// database at path, or says why it cannot.
func openFTS(ctx context.Context, path string, main *sql.DB) (*ftsIndex, error) {
	if path == "" || strings.Contains(path, ":memory:") || strings.Contains(path, "mode=memory") {
		return nil, errors.New("an in-memory database has no file to put an index beside")
	}
	side := strings.TrimSuffix(path, ".db") + "-search.db"
	db, err := sql.Open("sqlite", withFilePragmas("file:"+side))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(ftsMaxConns)
	db.SetMaxIdleConns(ftsMaxConns)
	db.SetConnMaxIdleTime(connMaxIdle)
	if _, err := db.ExecContext(ctx, ftsSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("search index %s: %w", side, err)
	}
	return &ftsIndex{db: db, main: main}, nil
}

func (*ftsIndex) Kind() string { return "fts5" }

func (ix *ftsIndex) last(ctx context.Context) (int64, error) {
	var last int64
	err := ix.db.QueryRowContext(ctx, `SELECT rowid FROM message_fts ORDER BY rowid DESC LIMIT 1`).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return last, err
}

func (ix *ftsIndex) put(ctx context.Context, rows []indexRow) error {
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ids := make([]any, len(rows))
	args := make([]any, 0, 3*len(rows))
	for i, r := range rows {
		ids[i] = r.id
		args = append(args, r.id, r.words, r.room)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM message_fts WHERE rowid IN (`+placeholders(len(ids))+`)`, ids...); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO message_fts (rowid, words, room_id) VALUES `+
		strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(rows)), ", "), args...); err != nil {
		return err
	}
	return tx.Commit()
}

// find asks the index file for ids, then the database for the messages.
func (ix *ftsIndex) find(ctx context.Context, userID int64, terms []string, before int64, limit int) ([]chat.Message, error) {
	rooms, err := queryIDs(ctx, ix.main, `SELECT room_id FROM memberships WHERE user_id = ?`, userID)
	if err != nil || len(rooms) == 0 {
		return nil, err
	}
	roomsJSON, err := json.Marshal(rooms)
	if err != nil {
		return nil, err
	}
	expr, check, args := ftsQuery(terms)
	args = append([]any{expr}, args...)
	args = append(args, before, string(roomsJSON), limit)
	ids, err := queryIDs(ctx, ix.db,
		`SELECT rowid FROM message_fts
		 WHERE message_fts MATCH ?`+check+` AND rowid < ? AND room_id IN (SELECT value FROM json_each(?))
		 ORDER BY rowid DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	return readable(ctx, ix.main, userID, ids)
}

// ftsQuery turns terms into an FTS5 MATCH expression that only looks up
// prefix indexes, and the checks that make it exact. A prefix query longer
// than the longest prefix index makes FTS5 merge the lists of every word
// with that prefix before it returns a row (25 ms on 100,000 messages for a
// word in most of them, against 0.3 ms through the index); so a longer term
// is looked up by its first ftsPrefixMax characters, and each row found is
// checked for the whole term with instr, exactly as the like index does.
// Terms are folded words (letters and digits only), so quoting them keeps
// FTS5's query syntax out.
func ftsQuery(terms []string) (expr, check string, args []any) {
	parts := make([]string, len(terms))
	for i, t := range terms {
		r := []rune(t)
		if len(r) > ftsPrefixMax {
			t = string(r[:ftsPrefixMax])
			check += ` AND instr(words, ?) > 0`
			args = append(args, " "+string(r))
		}
		parts[i] = `"` + t + `"*`
	}
	return strings.Join(parts, " "), check, args
}

func (ix *ftsIndex) reset(ctx context.Context) error {
	_, err := ix.db.ExecContext(ctx, `DELETE FROM message_fts`)
	return err
}

func (ix *ftsIndex) close() error { return ix.db.Close() }
