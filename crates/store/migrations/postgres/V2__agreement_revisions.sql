-- Synergies schema, version 2 (PostgreSQL): agreements carry a revision, so that an update
-- based on a stale copy is refused instead of silently overwriting someone else's change.
ALTER TABLE agreements ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
