-- +goose Up
-- Room events: every durable change to a room (a message posted, edited,
-- deleted, a reaction added or removed) gives the message it touches the
-- room's next position (1, 2, 3… per room), in the statement that makes
-- the change.
-- A page's cursor is the newest position it has seen; recovery sends the
-- current state of every message whose position is above it, once, however
-- often it changed. Messages stored so far get their id: ids grew in commit
-- order, as positions do (numbers a room skips are harmless: whoever follows
-- a room reads what exists).
ALTER TABLE messages ADD COLUMN pos INTEGER;
UPDATE messages SET pos = id;
CREATE UNIQUE INDEX messages_room_pos ON messages (room_id, pos);
-- When the text was last changed (unix ms), or NULL.
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
-- When it was deleted (unix ms), or NULL. A deleted message keeps its row
-- (its place in the room, its key) but not its text: body becomes ''.
ALTER TABLE messages ADD COLUMN deleted_at INTEGER;
-- Reactions as JSON, [{"e": emoji, "u": [[user id, username], …]}, …] in
-- the fixed order of chat.Reactions; '' for none. Kept in the row so that a
-- toggle is one UPDATE that also moves the position, and a message renders
-- from one row.
ALTER TABLE messages ADD COLUMN reactions TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE messages DROP COLUMN reactions;
ALTER TABLE messages DROP COLUMN deleted_at;
ALTER TABLE messages DROP COLUMN edited_at;
DROP INDEX messages_room_pos;
ALTER TABLE messages DROP COLUMN pos;
