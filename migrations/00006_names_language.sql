-- +goose Up
-- Usernames in any language (db/names.go): username_key is the name
-- normalised by PRECIS (full-width letters made ordinary, case folded,
-- accents precomposed), by which an account is found, and which look-alike
-- names share, so that the second is refused. Names stored so far are
-- ASCII letters, digits and ._- only, whose key is exactly lower().
-- Nullable, so that a row written by an older binary during a rolling
-- update is not refused (NULLs never collide); every new row has one.
ALTER TABLE users ADD COLUMN username_key TEXT;
UPDATE users SET username_key = lower(username);
CREATE UNIQUE INDEX users_username_key ON users (username_key);

-- The language the person reads charla in: 'en', 'es', or '' to follow
-- the browser's Accept-Language.
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN lang;
DROP INDEX users_username_key;
ALTER TABLE users DROP COLUMN username_key;
