-- Synergies schema, version 2 (SQLite): agreements carry a revision, so that an update based
-- on a stale copy is refused instead of silently overwriting someone else's change.
ALTER TABLE agreements ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
