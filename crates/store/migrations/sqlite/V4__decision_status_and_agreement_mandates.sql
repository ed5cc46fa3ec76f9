-- Synergies schema, version 4 (SQLite): what InforMEA records of a decision beside its text
-- (its type, the body of the meeting that adopted it, its status and adoption date), and the
-- mandates that each agreement serves.
ALTER TABLE decisions ADD COLUMN kind TEXT NOT NULL DEFAULT 'decision';
ALTER TABLE decisions ADD COLUMN body TEXT NOT NULL DEFAULT 'cop';
ALTER TABLE decisions ADD COLUMN status TEXT NOT NULL DEFAULT 'adopted';
ALTER TABLE decisions ADD COLUMN adopted_on TEXT;
-- Decisions recorded before this version: their type is in the structure read from the text.
UPDATE decisions SET kind = COALESCE(json_extract(document, '$.kind'), 'decision')
 WHERE json_valid(document);

CREATE TABLE agreement_mandates (
    agreement TEXT NOT NULL REFERENCES agreements(code),
    decision TEXT NOT NULL,
    paragraph TEXT NOT NULL,
    PRIMARY KEY (agreement, decision, paragraph),
    FOREIGN KEY (decision, paragraph) REFERENCES mandates(decision, paragraph)
);
CREATE INDEX agreement_mandates_by_mandate ON agreement_mandates (decision, paragraph);
