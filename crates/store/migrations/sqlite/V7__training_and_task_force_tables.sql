-- Synergies schema, version 7 (SQLite): training events and the joint task force as typed
-- tables, in place of the JSON documents of `cooperation_records`, which this migration moves
-- into them and drops. Lists keep their order by `position` (0, 1, …); dates are
-- `YYYY-MM-DD`, staff-days decimal text, money integer minor units.
CREATE TABLE training_events (
    code TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    place TEXT,
    agreement TEXT REFERENCES agreements(code),
    CHECK (ends_on >= starts_on)
);
-- The bodies whose meetings the participants prepare for.
CREATE TABLE training_bodies (
    event TEXT NOT NULL REFERENCES training_events(code),
    position INTEGER NOT NULL CHECK (position >= 0),
    body TEXT NOT NULL,
    PRIMARY KEY (event, position)
);
-- Participants by ISO 3166-1 alpha-2 country, UN regional group and gender.
CREATE TABLE training_participants (
    event TEXT NOT NULL REFERENCES training_events(code),
    position INTEGER NOT NULL CHECK (position >= 0),
    country TEXT NOT NULL CHECK (length(country) = 2 AND country GLOB '[A-Z][A-Z]'),
    region TEXT NOT NULL CHECK (region IN ('african', 'asia_pacific', 'eastern_european',
        'latin_american_caribbean', 'western_european_others')),
    gender TEXT NOT NULL CHECK (gender IN ('female', 'male', 'other')),
    role TEXT NOT NULL,
    PRIMARY KEY (event, position)
);
-- What each organisation puts into an event: staff-days and money (minor units).
CREATE TABLE training_contributions (
    event TEXT NOT NULL REFERENCES training_events(code),
    position INTEGER NOT NULL CHECK (position >= 0),
    organisation TEXT NOT NULL REFERENCES organisations(code),
    staff_days TEXT NOT NULL CHECK (staff_days NOT GLOB '-*'),
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    PRIMARY KEY (event, position)
);
CREATE TABLE taskforce_members (
    name TEXT PRIMARY KEY,
    organisation TEXT NOT NULL REFERENCES organisations(code)
);
CREATE TABLE taskforce_meetings (
    code TEXT PRIMARY KEY,
    held_on TEXT NOT NULL,
    minutes TEXT NOT NULL
);
-- Who attended: an organisation's code or a member's name.
CREATE TABLE taskforce_attendees (
    meeting TEXT NOT NULL REFERENCES taskforce_meetings(code),
    position INTEGER NOT NULL CHECK (position >= 0),
    attendee TEXT NOT NULL,
    PRIMARY KEY (meeting, position)
);
CREATE TABLE taskforce_action_items (
    code TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    meeting TEXT REFERENCES taskforce_meetings(code),
    activity TEXT
);

INSERT INTO training_events (code, title, starts_on, ends_on, place, agreement)
SELECT json_extract(document, '$.code'), json_extract(document, '$.title'),
       json_extract(document, '$.start'), json_extract(document, '$.end'),
       json_extract(document, '$.place'), json_extract(document, '$.agreement')
FROM cooperation_records WHERE kind = 'training_event';
INSERT INTO training_bodies (event, position, body)
SELECT json_extract(r.document, '$.code'), j.key, j.value
FROM cooperation_records r, json_each(r.document, '$.bodies') j
WHERE r.kind = 'training_event';
INSERT INTO training_participants (event, position, country, region, gender, role)
SELECT json_extract(r.document, '$.code'), j.key, json_extract(j.value, '$.country'),
       json_extract(j.value, '$.region'), json_extract(j.value, '$.gender'),
       json_extract(j.value, '$.role')
FROM cooperation_records r, json_each(r.document, '$.participants') j
WHERE r.kind = 'training_event';
INSERT INTO training_contributions (event, position, organisation, staff_days, amount_minor)
SELECT json_extract(r.document, '$.code'), j.key, json_extract(j.value, '$.organisation'),
       CAST(COALESCE(json_extract(j.value, '$.staff_days'), '0') AS TEXT),
       COALESCE(json_extract(j.value, '$.amount_minor'), 0)
FROM cooperation_records r, json_each(r.document, '$.contributions') j
WHERE r.kind = 'training_event';
INSERT INTO taskforce_members (name, organisation)
SELECT json_extract(document, '$.name'), json_extract(document, '$.organisation')
FROM cooperation_records WHERE kind = 'task_force_member';
INSERT INTO taskforce_meetings (code, held_on, minutes)
SELECT json_extract(document, '$.code'), json_extract(document, '$.date'),
       json_extract(document, '$.minutes')
FROM cooperation_records WHERE kind = 'task_force_meeting';
INSERT INTO taskforce_attendees (meeting, position, attendee)
SELECT json_extract(r.document, '$.code'), j.key, j.value
FROM cooperation_records r, json_each(r.document, '$.attendees') j
WHERE r.kind = 'task_force_meeting';
INSERT INTO taskforce_action_items (code, title, owner, due_on, status, meeting, activity)
SELECT json_extract(document, '$.code'), json_extract(document, '$.title'),
       json_extract(document, '$.owner'), json_extract(document, '$.due'),
       json_extract(document, '$.status'), json_extract(document, '$.meeting'),
       json_extract(document, '$.activity')
FROM cooperation_records WHERE kind = 'action_item';
DROP TABLE cooperation_records;
