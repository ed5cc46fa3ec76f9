-- Synergies schema, version 4 (PostgreSQL): what InforMEA records of a decision beside its text
-- (its type, the body of the meeting that adopted it, its status and adoption date), and the
-- mandates that each agreement serves.
ALTER TABLE decisions ADD COLUMN kind TEXT COLLATE "C" NOT NULL DEFAULT 'decision';
ALTER TABLE decisions ADD COLUMN body TEXT COLLATE "C" NOT NULL DEFAULT 'cop';
ALTER TABLE decisions ADD COLUMN status TEXT COLLATE "C" NOT NULL DEFAULT 'adopted';
ALTER TABLE decisions ADD COLUMN adopted_on DATE;
-- Decisions recorded before this version: their type is in the structure read from the text.
UPDATE decisions SET kind = COALESCE(document::jsonb ->> 'kind', 'decision');

CREATE TABLE agreement_mandates (
    agreement TEXT COLLATE "C" NOT NULL REFERENCES agreements(code),
    decision TEXT COLLATE "C" NOT NULL,
    paragraph TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (agreement, decision, paragraph),
    FOREIGN KEY (decision, paragraph) REFERENCES mandates(decision, paragraph)
);
CREATE INDEX agreement_mandates_by_mandate ON agreement_mandates (decision, paragraph);
