-- +goose Up
-- Rate limits that must hold across instances (sign-in attempts, sign-ups):
-- one token bucket per key, taken from in one statement (db/limits.go).
-- at: when the bucket was last taken from (unix ms).
CREATE TABLE rate_limits (
    key    TEXT PRIMARY KEY,
    tokens REAL NOT NULL,
    at     INTEGER NOT NULL,
    ok     INTEGER NOT NULL
);

-- +goose Down
DROP TABLE rate_limits;
