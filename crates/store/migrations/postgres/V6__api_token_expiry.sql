-- Synergies schema, version 6 (PostgreSQL): personal API tokens expire. A token made before
-- this version lives 90 days from its creation. Times are written `YYYY-MM-DDTHH:MM:SSZ`, in
-- UTC, so that comparing the text compares the times.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT COLLATE "C";
UPDATE api_tokens SET expires_at = to_char(
    (created_at::timestamptz + interval '90 days') AT TIME ZONE 'UTC',
    'YYYY-MM-DD"T"HH24:MI:SS"Z"');
CREATE INDEX api_tokens_by_user ON api_tokens (username, id);
