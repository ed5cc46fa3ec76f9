-- Synergies schema, version 3 (PostgreSQL): the registry of decisions of governing bodies, one
-- row per decision and language, with the structure the parser read from its text (JSON as
-- TEXT, so that its bytes are kept as written).
CREATE TABLE decisions (
    number TEXT COLLATE "C" NOT NULL,
    language TEXT COLLATE "C" NOT NULL,
    treaty TEXT COLLATE "C" NOT NULL,
    meeting BIGINT NOT NULL,
    title TEXT COLLATE "C" NOT NULL,
    document TEXT COLLATE "C" NOT NULL,
    imported_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (number, language)
);
