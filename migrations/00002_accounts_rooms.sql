-- +goose Up
-- Accounts replace the skeleton's guest names. Messages already stored keep
-- their author's name (messages.author); new ones also record user_id.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT    NOT NULL, -- argon2id, PHC string format
    is_admin      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

-- A session cookie holds a random token; only its SHA-256 is stored, so a
-- leaked database does not sign anybody in.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- public: anyone signed in may join; private: members add members;
-- direct: two people, named dm:<lower user id>:<higher user id>.
ALTER TABLE rooms ADD COLUMN kind TEXT NOT NULL DEFAULT 'public';
ALTER TABLE rooms ADD COLUMN created_by INTEGER REFERENCES users (id);

CREATE TABLE memberships (
    room_id      INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_read_id INTEGER NOT NULL DEFAULT 0, -- unread = messages after this id
    joined_at    INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

ALTER TABLE messages ADD COLUMN user_id INTEGER REFERENCES users (id);

-- Sign-up invitations (CHARLA_SIGNUP=invite), made by an admin. Stored as
-- hashes, like sessions; single use.
CREATE TABLE invites (
    token_hash TEXT    PRIMARY KEY,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    claimed_at INTEGER,
    used_by    INTEGER REFERENCES users (id)
);

-- +goose Down
DROP TABLE invites;
ALTER TABLE messages DROP COLUMN user_id;
DROP INDEX memberships_user;
DROP TABLE memberships;
ALTER TABLE rooms DROP COLUMN created_by;
ALTER TABLE rooms DROP COLUMN kind;
DROP INDEX sessions_user;
DROP TABLE sessions;
DROP TABLE users;
