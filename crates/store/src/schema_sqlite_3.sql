-- Synergies schema, version 3 (SQLite): the registry of decisions of governing bodies, one row
-- per decision and language, with the structure the parser read from its text (JSON).
CREATE TABLE decisions (
    number TEXT NOT NULL,
    language TEXT NOT NULL,
    treaty TEXT NOT NULL,
    meeting INTEGER NOT NULL,
    title TEXT NOT NULL,
    document TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (number, language)
);
