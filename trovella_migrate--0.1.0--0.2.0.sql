-- trovella_migrate 0.1.0 -> 0.2.0 (ALTER EXTENSION trovella_migrate UPDATE).
\echo Use "ALTER EXTENSION trovella_migrate UPDATE TO '0.2.0'" to load this file. \quit

-- pg_dump kept the history tables' rows but not the sequences behind their identity columns, so
-- the first run after a restore failed on a duplicate run_id.
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('trovella_migrate.run', 'run_id'), '');
SELECT pg_catalog.pg_extension_config_dump(
    pg_catalog.pg_get_serial_sequence('trovella_migrate.migration_event', 'event_id'), '');

-- The history view no longer reads tracking tables (a relation named by a caller of apply() could
-- run that caller's code with the reader's rights): it shows the extension's own record of each
-- tracking row. CREATE OR REPLACE keeps the view's columns and the grants DBAs gave on it.
CREATE OR REPLACE VIEW trovella_migrate.history AS
    SELECT pg_catalog.format('%I.%I', e.tracking_schema, e.tracking_table) AS tracking_table,
           e.tracking_id AS id, e.hash, e.created_at, e.tag, e.idx, e.action, e.statements, e.applied_at,
           e.applied_by, e.duration_ms, e.run_id
    FROM (SELECT DISTINCT ON (ev.tracking_schema, ev.tracking_table, ev.tracking_id) ev.*
          FROM trovella_migrate.migration_event ev
          WHERE ev.tracking_id IS NOT NULL
          ORDER BY ev.tracking_schema, ev.tracking_table, ev.tracking_id, ev.event_id DESC) e
    WHERE e.action OPERATOR(pg_catalog.<>) 'removed';
COMMENT ON VIEW trovella_migrate.history IS
    'Every tracking row the extension applied, adopted (written by drizzle-kit), baselined or repaired, with its tag and metadata.';
DROP FUNCTION trovella_migrate.history_rows();

-- Rows are now matched by id, hash and created_at (ids are reused when a tracking table is made
-- again), and a row found gone from its tracking table is recorded as removed.
ALTER TABLE trovella_migrate.migration_event DROP CONSTRAINT migration_event_action_check;
ALTER TABLE trovella_migrate.migration_event ADD CONSTRAINT migration_event_action_check
    CHECK (action IN ('applied', 'adopted', 'baselined', 'repaired', 'removed'));
COMMENT ON TABLE trovella_migrate.migration_event IS
    'What happened to each tracking row: applied by apply, adopted (written by drizzle-kit, tag recorded), baselined, repaired, removed (found gone from the tracking table).';

CREATE FUNCTION trovella_migrate.last_run()
RETURNS TABLE (run_id bigint, function text, action text, tag text, idx integer, statements integer,
               duration_ms double precision, committed boolean)
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'trovella_migrate_last_run';
COMMENT ON FUNCTION trovella_migrate.last_run() IS
    'What this session''s last apply, apply_each, baseline or repair call recorded, one row per migration (committed: apply_each only).';
GRANT EXECUTE ON FUNCTION trovella_migrate.last_run() TO PUBLIC;
