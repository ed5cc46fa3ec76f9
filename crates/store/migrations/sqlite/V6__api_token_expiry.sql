-- Synergies schema, version 6 (SQLite): personal API tokens expire. A token made before this
-- version lives 90 days from its creation (a creation time that cannot be read gives no expiry,
-- and a token without one is refused). Times are written `YYYY-MM-DDTHH:MM:SSZ`, in UTC, so
-- that comparing the text compares the times.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+90 days');
CREATE INDEX api_tokens_by_user ON api_tokens (username, id);
