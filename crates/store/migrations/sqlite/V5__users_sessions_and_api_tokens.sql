-- Synergies schema, version 5 (SQLite): the people who sign in to the web application, their
-- sessions and their personal API tokens. Passwords are kept as argon2id hashes, sessions and
-- tokens as SHA-256 hashes of the secret the browser or script holds: a copy of the database
-- gives nobody a way in.
CREATE TABLE users (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    -- JSON list of {"role": …, "organisation": …}
    grants TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- The audit trail is read newest first, by subject or by actor.
CREATE INDEX audit_events_by_subject ON audit_events (subject, id);
CREATE INDEX audit_events_by_actor ON audit_events (actor, id);
