-- +goose Up
-- An admin may deactivate an account: it can no longer sign in and its
-- sessions end, but its messages stay under its name and its username
-- stays taken. NULL: active; else when it was deactivated (unix ms).
ALTER TABLE users ADD COLUMN deactivated_at INTEGER;

-- +goose Down
ALTER TABLE users DROP COLUMN deactivated_at;
