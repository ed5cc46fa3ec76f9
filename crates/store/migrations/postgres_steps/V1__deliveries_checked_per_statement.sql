-- Synergies on PostgreSQL, step 1 (runs after schema version 2): bulk writes without
-- row-by-row work. It changes how tables are stored and checked, not their columns, so the
-- schema version (which copies and backups compare with SQLite's) stays what it was.
--
-- 1. The three references that bulk writes hit a million times (deliveries.agreement_id,
--    closing_deliveries.delivery_id and closing_deliveries.closing_id) are checked once per
--    statement instead of once per row. A foreign key runs a query per inserted row (and, on
--    closing_deliveries, locks every charged delivery); these checks look up the statement's
--    new rows in one query. They guard the same thing, whoever writes:
--    * an INSERT (or COPY) whose rows name a missing parent fails at the end of the
--      statement, as a foreign key's NO ACTION check does (SQLSTATE 23503);
--    * an UPDATE that changes the reference checks the new parent, row by row;
--    * deleting a parent, changing its id or truncating its table fails while a row refers to
--      it. That side first locks the referring table in SHARE mode, so it waits for every
--      writer of that table to finish and then sees what they wrote. Outside READ COMMITTED
--      it would check with a snapshot older than that lock, so there it is refused; and an
--      insert outside READ COMMITTED locks the parents it names (FOR KEY SHARE), as a
--      foreign key does. Synergies writes in READ COMMITTED, where no lock is taken per row.
-- 2. Deliveries leave half of each page free (fillfactor 50), so that accepting them (a
--    status change, no indexed column) updates each row on its own page: a HOT update, which
--    writes no index entry.

ALTER TABLE deliveries DROP CONSTRAINT deliveries_agreement_id_fkey;
ALTER TABLE closing_deliveries DROP CONSTRAINT closing_deliveries_delivery_id_fkey;
ALTER TABLE closing_deliveries DROP CONSTRAINT closing_deliveries_closing_id_fkey;

-- After INSERT, per statement: every non-null key of the new rows (transition table
-- new_rows) is present in the parent. Arguments: the column, the parent table, its key.
CREATE FUNCTION synergies_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing text;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %I.%I p WHERE p.%I IN '
                       '(SELECT n.%I FROM new_rows n) FOR KEY SHARE OF p) locked',
                       TG_TABLE_SCHEMA, TG_ARGV[1], TG_ARGV[2], TG_ARGV[0]);
    END IF;
    -- An aggregate, not LIMIT 1: with LIMIT the planner counts on finding a missing key at
    -- once and probes the parent's index row by row; without it, many rows are checked with
    -- one hash join, a few with a probe of the parent's key each.
    EXECUTE format('SELECT min(n.%I)::text FROM new_rows n WHERE n.%I IS NOT NULL AND NOT EXISTS '
                   '(SELECT 1 FROM %I.%I p WHERE p.%I = n.%I)',
                   TG_ARGV[0], TG_ARGV[0], TG_TABLE_SCHEMA, TG_ARGV[1], TG_ARGV[2], TG_ARGV[0])
        INTO missing;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'insert or update on table "%" violates the reference %.% -> %.%',
                TG_TABLE_NAME, TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1], TG_ARGV[2]
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (%s)=(%s) is not present in table "%s".',
                                  TG_ARGV[0], missing, TG_ARGV[1]);
    END IF;
    RETURN NULL;
END;
$$;

-- After UPDATE of the column, per row whose key changed: the new parent is present (and
-- locked, as a foreign key locks it). Same arguments.
CREATE FUNCTION synergies_check_reference() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key text := to_jsonb(NEW) ->> TG_ARGV[0];
    found_it boolean;
BEGIN
    IF key IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I p WHERE p.%I = $1::bigint FOR KEY SHARE OF p)',
                   TG_TABLE_SCHEMA, TG_ARGV[1], TG_ARGV[2])
        INTO found_it USING key;
    IF NOT found_it THEN
        RAISE EXCEPTION 'insert or update on table "%" violates the reference %.% -> %.%',
                TG_TABLE_NAME, TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1], TG_ARGV[2]
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (%s)=(%s) is not present in table "%s".',
                                  TG_ARGV[0], key, TG_ARGV[1]);
    END IF;
    RETURN NULL;
END;
$$;

-- Before DELETE, UPDATE of the key or TRUNCATE of a parent, per statement: waits for the
-- writers of the referring table (argument 0) and keeps new ones out until this transaction
-- ends, so that the check after the statement sees every row that refers to the parent.
CREATE FUNCTION synergies_lock_referring() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION '% of rows of table "%" needs READ COMMITTED isolation', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'feature_not_supported',
                  HINT = format('Table "%s" refers to it; its references are checked with a '
                                'fresh snapshot, which only READ COMMITTED gives.', TG_ARGV[0]);
    END IF;
    EXECUTE format('LOCK TABLE %I.%I IN SHARE MODE', TG_TABLE_SCHEMA, TG_ARGV[0]);
    RETURN NULL;
END;
$$;

-- After DELETE (per statement, transition table old_rows), UPDATE of the key (per row) or
-- TRUNCATE (per statement) of a parent: no row of the referring table refers to a key that
-- is gone. Arguments: the referring table, its column, the parent's key.
CREATE FUNCTION synergies_check_referring() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    referred text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('SELECT r.%I::text FROM %I.%I r LIMIT 1',
                       TG_ARGV[1], TG_TABLE_SCHEMA, TG_ARGV[0])
            INTO referred;
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('SELECT o.%I::text FROM old_rows o WHERE EXISTS '
                       '(SELECT 1 FROM %I.%I r WHERE r.%I = o.%I) LIMIT 1',
                       TG_ARGV[2], TG_TABLE_SCHEMA, TG_ARGV[0], TG_ARGV[1], TG_ARGV[2])
            INTO referred;
    ELSE
        EXECUTE format('SELECT $1 WHERE EXISTS (SELECT 1 FROM %I.%I r WHERE r.%I = $1::bigint)',
                       TG_TABLE_SCHEMA, TG_ARGV[0], TG_ARGV[1])
            INTO referred USING to_jsonb(OLD) ->> TG_ARGV[2];
    END IF;
    IF referred IS NOT NULL THEN
        RAISE EXCEPTION '% on table "%" violates the reference %.% -> %.%',
                TG_OP, TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1], TG_TABLE_NAME, TG_ARGV[2]
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (%s)=(%s) is still referenced from table "%s".',
                                  TG_ARGV[2], COALESCE(referred, ''), TG_ARGV[0]);
    END IF;
    RETURN NULL;
END;
$$;

-- deliveries.agreement_id -> agreements.id
CREATE TRIGGER deliveries_agreement_exists AFTER INSERT ON deliveries
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION synergies_check_references('agreement_id', 'agreements', 'id');
CREATE TRIGGER deliveries_agreement_exists_after_update AFTER UPDATE OF agreement_id ON deliveries
FOR EACH ROW WHEN (OLD.agreement_id IS DISTINCT FROM NEW.agreement_id)
EXECUTE FUNCTION synergies_check_reference('agreement_id', 'agreements', 'id');
CREATE TRIGGER agreements_lock_deliveries BEFORE DELETE OR UPDATE OF id OR TRUNCATE ON agreements
FOR EACH STATEMENT EXECUTE FUNCTION synergies_lock_referring('deliveries');
CREATE TRIGGER agreements_keep_deliveries_after_delete AFTER DELETE ON agreements
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
EXECUTE FUNCTION synergies_check_referring('deliveries', 'agreement_id', 'id');
CREATE TRIGGER agreements_keep_deliveries_after_update AFTER UPDATE OF id ON agreements
FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
EXECUTE FUNCTION synergies_check_referring('deliveries', 'agreement_id', 'id');
CREATE TRIGGER agreements_keep_deliveries_after_truncate AFTER TRUNCATE ON agreements
FOR EACH STATEMENT EXECUTE FUNCTION synergies_check_referring('deliveries', 'agreement_id', 'id');

-- closing_deliveries.delivery_id -> deliveries.id
CREATE TRIGGER closing_deliveries_delivery_exists AFTER INSERT ON closing_deliveries
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION synergies_check_references('delivery_id', 'deliveries', 'id');
CREATE TRIGGER closing_deliveries_delivery_exists_after_update AFTER UPDATE OF delivery_id ON closing_deliveries
FOR EACH ROW WHEN (OLD.delivery_id IS DISTINCT FROM NEW.delivery_id)
EXECUTE FUNCTION synergies_check_reference('delivery_id', 'deliveries', 'id');
CREATE TRIGGER deliveries_lock_closing_deliveries BEFORE DELETE OR UPDATE OF id OR TRUNCATE ON deliveries
FOR EACH STATEMENT EXECUTE FUNCTION synergies_lock_referring('closing_deliveries');
CREATE TRIGGER deliveries_keep_closing_deliveries_after_delete AFTER DELETE ON deliveries
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
EXECUTE FUNCTION synergies_check_referring('closing_deliveries', 'delivery_id', 'id');
CREATE TRIGGER deliveries_keep_closing_deliveries_after_update AFTER UPDATE OF id ON deliveries
FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
EXECUTE FUNCTION synergies_check_referring('closing_deliveries', 'delivery_id', 'id');
CREATE TRIGGER deliveries_keep_closing_deliveries_after_truncate AFTER TRUNCATE ON deliveries
FOR EACH STATEMENT EXECUTE FUNCTION synergies_check_referring('closing_deliveries', 'delivery_id', 'id');

-- closing_deliveries.closing_id -> closings.id
CREATE TRIGGER closing_deliveries_closing_exists AFTER INSERT ON closing_deliveries
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION synergies_check_references('closing_id', 'closings', 'id');
CREATE TRIGGER closing_deliveries_closing_exists_after_update AFTER UPDATE OF closing_id ON closing_deliveries
FOR EACH ROW WHEN (OLD.closing_id IS DISTINCT FROM NEW.closing_id)
EXECUTE FUNCTION synergies_check_reference('closing_id', 'closings', 'id');
CREATE TRIGGER closings_lock_closing_deliveries BEFORE DELETE OR UPDATE OF id OR TRUNCATE ON closings
FOR EACH STATEMENT EXECUTE FUNCTION synergies_lock_referring('closing_deliveries');
CREATE TRIGGER closings_keep_closing_deliveries_after_delete AFTER DELETE ON closings
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
EXECUTE FUNCTION synergies_check_referring('closing_deliveries', 'closing_id', 'id');
CREATE TRIGGER closings_keep_closing_deliveries_after_update AFTER UPDATE OF id ON closings
FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
EXECUTE FUNCTION synergies_check_referring('closing_deliveries', 'closing_id', 'id');
CREATE TRIGGER closings_keep_closing_deliveries_after_truncate AFTER TRUNCATE ON closings
FOR EACH STATEMENT EXECUTE FUNCTION synergies_check_referring('closing_deliveries', 'closing_id', 'id');

ALTER TABLE deliveries SET (fillfactor = 50);
