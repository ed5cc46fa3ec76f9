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

-- What each operative paragraph asks, tracked until done; status changes are dated notes.
CREATE TABLE mandates (
    decision TEXT NOT NULL,
    paragraph TEXT NOT NULL,
    position INTEGER NOT NULL,
    actor TEXT,
    tracking TEXT NOT NULL,
    status TEXT NOT NULL,
    deliverable TEXT,
    due_meeting INTEGER,
    text TEXT NOT NULL,
    PRIMARY KEY (decision, paragraph)
);

CREATE TABLE mandate_notes (
    id INTEGER PRIMARY KEY,
    decision TEXT NOT NULL,
    paragraph TEXT NOT NULL,
    noted_on TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    author TEXT NOT NULL,
    FOREIGN KEY (decision, paragraph) REFERENCES mandates(decision, paragraph)
);

-- Cooperation activities per biennium: the activity itself is a JSON document of the domain's
-- type, read and written whole; the columns beside it are what lists filter on.
CREATE TABLE activities (
    biennium TEXT NOT NULL,
    code TEXT NOT NULL,
    lead TEXT NOT NULL,
    status TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (biennium, code)
);

-- Training events and the joint task force's members, meetings and action items: each record
-- a JSON document of the domain's type, by kind and code.
CREATE TABLE cooperation_records (
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (kind, code)
);
