-- +goose Up
-- Rooms come with accounts later; the skeleton has one, "general", with id 1.
CREATE TABLE rooms (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL -- unix milliseconds
);
INSERT INTO rooms (id, name, created_at) VALUES (1, 'general', CAST(unixepoch('subsec') * 1000 AS INTEGER));

-- AUTOINCREMENT: ids are never reused, so "msg-42" names one message for
-- ever, in every browser and across restarts (recovery and upsert rely on it).
CREATE TABLE messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id    INTEGER NOT NULL REFERENCES rooms (id),
    client_key TEXT    NOT NULL UNIQUE, -- one-time key from the composer: a resend is the same message
    author     TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL -- unix milliseconds
);
-- History pages and recovery are keyset scans: WHERE room_id = ? AND id < / > ?.
CREATE INDEX messages_room_id ON messages (room_id, id);

-- Small server-wide values, such as the generated cookie secret.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP INDEX messages_room_id;
DROP TABLE messages;
DROP TABLE rooms;
