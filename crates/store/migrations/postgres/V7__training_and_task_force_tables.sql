-- Synergies schema, version 7 (PostgreSQL): training events and the joint task force as typed
-- tables, in place of the JSON documents of `cooperation_records`, which this migration moves
-- into them and drops. Lists keep their order by `position` (0, 1, …); staff-days are exact
-- decimals, money integer minor units.
CREATE TABLE training_events (
    code TEXT COLLATE "C" PRIMARY KEY,
    title TEXT COLLATE "C" NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    place TEXT COLLATE "C",
    agreement TEXT COLLATE "C" REFERENCES agreements(code),
    CHECK (ends_on >= starts_on)
);
-- The bodies whose meetings the participants prepare for.
CREATE TABLE training_bodies (
    event TEXT COLLATE "C" NOT NULL REFERENCES training_events(code),
    position BIGINT NOT NULL CHECK (position >= 0),
    body TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (event, position)
);
-- Participants by ISO 3166-1 alpha-2 country, UN regional group and gender.
CREATE TABLE training_participants (
    event TEXT COLLATE "C" NOT NULL REFERENCES training_events(code),
    position BIGINT NOT NULL CHECK (position >= 0),
    country TEXT COLLATE "C" NOT NULL CHECK (country ~ '^[A-Z][A-Z]$'),
    region TEXT COLLATE "C" NOT NULL CHECK (region IN ('african', 'asia_pacific',
        'eastern_european', 'latin_american_caribbean', 'western_european_others')),
    gender TEXT COLLATE "C" NOT NULL CHECK (gender IN ('female', 'male', 'other')),
    role TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (event, position)
);
-- What each organisation puts into an event: staff-days and money (minor units).
CREATE TABLE training_contributions (
    event TEXT COLLATE "C" NOT NULL REFERENCES training_events(code),
    position BIGINT NOT NULL CHECK (position >= 0),
    organisation TEXT COLLATE "C" NOT NULL REFERENCES organisations(code),
    staff_days NUMERIC NOT NULL CHECK (staff_days >= 0),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    PRIMARY KEY (event, position)
);
CREATE TABLE taskforce_members (
    name TEXT COLLATE "C" PRIMARY KEY,
    organisation TEXT COLLATE "C" NOT NULL REFERENCES organisations(code)
);
CREATE TABLE taskforce_meetings (
    code TEXT COLLATE "C" PRIMARY KEY,
    held_on DATE NOT NULL,
    minutes TEXT COLLATE "C" NOT NULL
);
-- Who attended: an organisation's code or a member's name.
CREATE TABLE taskforce_attendees (
    meeting TEXT COLLATE "C" NOT NULL REFERENCES taskforce_meetings(code),
    position BIGINT NOT NULL CHECK (position >= 0),
    attendee TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (meeting, position)
);
CREATE TABLE taskforce_action_items (
    code TEXT COLLATE "C" PRIMARY KEY,
    title TEXT COLLATE "C" NOT NULL,
    owner TEXT COLLATE "C" NOT NULL,
    due_on DATE NOT NULL,
    status TEXT COLLATE "C" NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    meeting TEXT COLLATE "C" REFERENCES taskforce_meetings(code),
    activity TEXT COLLATE "C"
);

CREATE TEMPORARY TABLE cooperation_documents ON COMMIT DROP AS
SELECT kind, document::jsonb AS d FROM cooperation_records;
INSERT INTO training_events (code, title, starts_on, ends_on, place, agreement)
SELECT d->>'code', d->>'title', (d->>'start')::date, (d->>'end')::date, d->>'place',
       d->>'agreement'
FROM cooperation_documents WHERE kind = 'training_event';
INSERT INTO training_bodies (event, position, body)
SELECT r.d->>'code', j.n - 1, j.value
FROM cooperation_documents r,
     jsonb_array_elements_text(r.d->'bodies') WITH ORDINALITY AS j(value, n)
WHERE r.kind = 'training_event';
INSERT INTO training_participants (event, position, country, region, gender, role)
SELECT r.d->>'code', j.n - 1, j.value->>'country', j.value->>'region', j.value->>'gender',
       j.value->>'role'
FROM cooperation_documents r,
     jsonb_array_elements(r.d->'participants') WITH ORDINALITY AS j(value, n)
WHERE r.kind = 'training_event';
INSERT INTO training_contributions (event, position, organisation, staff_days, amount_minor)
SELECT r.d->>'code', j.n - 1, j.value->>'organisation',
       COALESCE(j.value->>'staff_days', '0')::numeric,
       COALESCE((j.value->>'amount_minor')::bigint, 0)
FROM cooperation_documents r,
     jsonb_array_elements(r.d->'contributions') WITH ORDINALITY AS j(value, n)
WHERE r.kind = 'training_event';
INSERT INTO taskforce_members (name, organisation)
SELECT d->>'name', d->>'organisation'
FROM cooperation_documents WHERE kind = 'task_force_member';
INSERT INTO taskforce_meetings (code, held_on, minutes)
SELECT d->>'code', (d->>'date')::date, d->>'minutes'
FROM cooperation_documents WHERE kind = 'task_force_meeting';
INSERT INTO taskforce_attendees (meeting, position, attendee)
SELECT r.d->>'code', j.n - 1, j.value
FROM cooperation_documents r,
     jsonb_array_elements_text(r.d->'attendees') WITH ORDINALITY AS j(value, n)
WHERE r.kind = 'task_force_meeting';
INSERT INTO taskforce_action_items (code, title, owner, due_on, status, meeting, activity)
SELECT d->>'code', d->>'title', d->>'owner', (d->>'due')::date, d->>'status', d->>'meeting',
       d->>'activity'
FROM cooperation_documents WHERE kind = 'action_item';
DROP TABLE cooperation_documents;
DROP TABLE cooperation_records;
