-- +goose Up
-- Search (see package search and db/search.go). The index itself is kept by
-- the application, not by triggers over a virtual table: tursodb (the local
-- Turso-protocol server) has no FTS5, and a file holding an FTS5 table
-- hides from it every schema object created after that table. So the main
-- file holds only plain tables; the FTS5 index of a file database lives in
-- a file of its own beside it.
--
-- message_words is the index where FTS5 is missing: each message's folded
-- words, " hola mundo", searched with instr(words, ' ' || term). Filled in
-- message id order by the indexer; a deleted message keeps a row with no
-- words, so MAX(message_id) is how far indexing got.
CREATE TABLE message_words (
    message_id INTEGER PRIMARY KEY,
    room_id    INTEGER NOT NULL,
    words      TEXT    NOT NULL
);

-- search_queue is every change of a message's body after it was sent (an
-- edit, or a delete that empties it), in order: the indexer re-reads those
-- messages and removes the rows it has handled. A trigger, so that no
-- writer can forget it; it touches only a plain table, which tursodb runs.
CREATE TABLE search_queue (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER messages_search_edit AFTER UPDATE OF body ON messages
WHEN new.body IS NOT old.body
BEGIN
    INSERT INTO search_queue (message_id) VALUES (new.id);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER messages_search_edit;
DROP TABLE search_queue;
DROP TABLE message_words;
