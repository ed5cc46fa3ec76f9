-- Synergies schema, version 1 (SQLite).
-- Money is INTEGER minor units; exact decimals (rates, quantities) are TEXT; dates are ISO TEXT.

CREATE TABLE organisations (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE conventions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL REFERENCES organisations(code)
);

CREATE TABLE funds (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    convention TEXT NOT NULL REFERENCES conventions(code),
    organisation TEXT NOT NULL REFERENCES organisations(code),
    kind TEXT NOT NULL
);

CREATE TABLE bienniums (
    code TEXT PRIMARY KEY,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    status TEXT NOT NULL,
    CHECK (start_date <= end_date)
);

CREATE TABLE budget_lines (
    fund TEXT NOT NULL REFERENCES funds(code),
    biennium TEXT NOT NULL REFERENCES bienniums(code),
    activity TEXT NOT NULL,
    title TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    staff_days TEXT NOT NULL,
    PRIMARY KEY (fund, biennium, activity)
);

CREATE TABLE services (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    provider TEXT NOT NULL REFERENCES organisations(code),
    category TEXT NOT NULL,
    unit TEXT NOT NULL
);

CREATE TABLE rate_cards (
    provider TEXT NOT NULL REFERENCES organisations(code),
    biennium TEXT NOT NULL REFERENCES bienniums(code),
    currency TEXT NOT NULL,
    psc_rate TEXT NOT NULL,
    PRIMARY KEY (provider, biennium)
);

CREATE TABLE rates (
    provider TEXT NOT NULL,
    biennium TEXT NOT NULL,
    rate_key TEXT NOT NULL,
    unit TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    PRIMARY KEY (provider, rate_key, unit, effective_from),
    FOREIGN KEY (provider, biennium) REFERENCES rate_cards(provider, biennium)
);

CREATE TABLE fx_rates (
    currency TEXT NOT NULL,
    month TEXT NOT NULL,
    per_usd TEXT NOT NULL,
    PRIMARY KEY (currency, month)
);

CREATE TABLE agreements (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    provider TEXT NOT NULL REFERENCES organisations(code),
    provider_fund TEXT NOT NULL REFERENCES funds(code),
    biennium TEXT NOT NULL REFERENCES bienniums(code),
    currency TEXT NOT NULL
);

-- Lines, participants, share key and approvals of a version are JSON documents of the
-- domain's types: they are read and written whole, with their version.
CREATE TABLE agreement_versions (
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    number INTEGER NOT NULL,
    status TEXT NOT NULL,
    ceiling_minor INTEGER NOT NULL,
    psc_rate TEXT NOT NULL,
    share_key TEXT NOT NULL,
    lines TEXT NOT NULL,
    participants TEXT NOT NULL,
    approvals TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (agreement_id, number)
);

CREATE TABLE closings (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    version INTEGER NOT NULL,
    period TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    posted_on TEXT NOT NULL,
    direct_exact TEXT NOT NULL,
    direct_minor INTEGER NOT NULL,
    deliveries INTEGER NOT NULL,
    status TEXT NOT NULL,
    UNIQUE (agreement_id, period, sequence)
);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    service TEXT NOT NULL,
    date TEXT NOT NULL,
    quantity TEXT NOT NULL,
    grade TEXT,
    expense_minor INTEGER,
    expense_currency TEXT,
    description TEXT NOT NULL,
    external_id TEXT NOT NULL,
    -- 'recorded', 'accepted' or 'disputed': the same length, so acceptance rewrites a row in
    -- place. What changes a lot (which closing charged a delivery) lives in closing_deliveries.
    status TEXT NOT NULL DEFAULT 'recorded',
    dispute_reason TEXT,
    UNIQUE (agreement_id, external_id)
);

-- The recipient's acceptances: all recorded deliveries of an agreement (of every agreement
-- when agreement_id is NULL) dated up to through_date (all dates when NULL).
CREATE TABLE acceptances (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER REFERENCES agreements(id),
    through_date TEXT,
    accepted_on TEXT NOT NULL,
    deliveries INTEGER NOT NULL
);

CREATE TABLE journal_entries (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    date TEXT NOT NULL,
    description TEXT NOT NULL,
    reverses INTEGER REFERENCES journal_entries(id),
    posted_at TEXT NOT NULL
);

CREATE TABLE postings (
    entry_id INTEGER NOT NULL REFERENCES journal_entries(id),
    line INTEGER NOT NULL,
    fund TEXT NOT NULL REFERENCES funds(code),
    account TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (entry_id, line)
);

CREATE TABLE charges (
    id INTEGER PRIMARY KEY,
    closing_id INTEGER NOT NULL REFERENCES closings(id),
    payer_organisation TEXT NOT NULL REFERENCES organisations(code),
    payer_fund TEXT NOT NULL REFERENCES funds(code),
    direct_minor INTEGER NOT NULL,
    psc_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    entry_id INTEGER NOT NULL UNIQUE REFERENCES journal_entries(id),
    reversal_entry_id INTEGER REFERENCES journal_entries(id),
    status TEXT NOT NULL,
    CHECK (direct_minor + psc_minor = total_minor)
);

-- Which posted closing charged each delivery (a delivery is charged at most once).
CREATE TABLE closing_deliveries (
    delivery_id INTEGER PRIMARY KEY REFERENCES deliveries(id),
    closing_id INTEGER NOT NULL REFERENCES closings(id)
);
CREATE INDEX closing_deliveries_by_closing ON closing_deliveries (closing_id);

-- Which deliveries a closing charged before it was reversed (moved from closing_deliveries).
CREATE TABLE reversed_closing_deliveries (
    closing_id INTEGER NOT NULL REFERENCES closings(id),
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    PRIMARY KEY (closing_id, delivery_id)
);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);

-- Posted entries never change; neither does the audit trail.
CREATE TRIGGER journal_entries_no_update BEFORE UPDATE ON journal_entries
BEGIN SELECT RAISE(ABORT, 'posted journal entries never change'); END;
CREATE TRIGGER journal_entries_no_delete BEFORE DELETE ON journal_entries
BEGIN SELECT RAISE(ABORT, 'posted journal entries never change'); END;
CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
BEGIN SELECT RAISE(ABORT, 'posted journal entries never change'); END;
CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
BEGIN SELECT RAISE(ABORT, 'posted journal entries never change'); END;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit trail never changes'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit trail never changes'); END;
