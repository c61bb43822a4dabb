-- +goose Up
-- A room's topic: one line under its name in the header, set by any of its
-- members (db.MaxTopicLen characters at most; '' for none).
ALTER TABLE rooms ADD COLUMN topic TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE rooms DROP COLUMN topic;
