-- trovella_migrate 0.2.0 -> 0.3.0 (ALTER EXTENSION trovella_migrate UPDATE).
\echo Use "ALTER EXTENSION trovella_migrate UPDATE TO '0.3.0'" to load this file. \quit

-- The client engine (trovella-migrate --engine client) keeps its own history where the extension
-- is not installed; the extension adopts it: which engine made each run, and the client's ids of
-- what was adopted, so that nothing is taken up twice.
ALTER TABLE trovella_migrate.run
    ADD COLUMN engine text NOT NULL DEFAULT 'extension' CHECK (engine IN ('extension', 'client')),
    ADD COLUMN source_run_id bigint UNIQUE;
COMMENT ON TABLE trovella_migrate.run IS
    'One row per call of apply (or baseline, repair) that recorded something; engine client: a run of trovella-migrate --engine client, adopted from trovella_migrate_history.run (its run_id there is source_run_id).';
ALTER TABLE trovella_migrate.migration_event ADD COLUMN source_event_id bigint UNIQUE;

-- The view gains the engine (CREATE OR REPLACE keeps the grants DBAs gave on it); the latest event
-- about a row is the latest in time, adopted events coming in after the extension's own.
CREATE OR REPLACE VIEW trovella_migrate.history AS
    SELECT pg_catalog.format('%I.%I', e.tracking_schema, e.tracking_table) COLLATE pg_catalog."default" AS tracking_table,
           e.tracking_id AS id, e.hash, e.created_at, e.tag, e.idx, e.action, e.statements, e.applied_at,
           e.applied_by, e.duration_ms, e.run_id, r.engine
    FROM (SELECT DISTINCT ON (ev.tracking_schema, ev.tracking_table, ev.tracking_id) ev.*
          FROM trovella_migrate.migration_event ev
          WHERE ev.tracking_id IS NOT NULL
          ORDER BY ev.tracking_schema, ev.tracking_table, ev.tracking_id, ev.applied_at DESC, ev.event_id DESC) e
    JOIN trovella_migrate.run r ON r.run_id OPERATOR(pg_catalog.=) e.run_id
    WHERE e.action OPERATOR(pg_catalog.<>) 'removed';
COMMENT ON VIEW trovella_migrate.history IS
    'Every tracking row applied (by either engine), adopted (written by drizzle-kit), baselined or repaired, with its tag and metadata.';

-- The client engine's history (trovella-migrate --engine client keeps it in ordinary tables of
-- schema trovella_migrate_history where the extension is not installed, or not chosen) becomes the
-- extension's: each client run is copied once into trovella_migrate.run (engine 'client', its id
-- there kept as source_run_id) with its events (source_event_id); a run still going on is taken up
-- again until it has finished. An "adopted" event of the client's about a row whose latest event
-- here is about that same row adds nothing and is left out. Called when the extension is created
-- or updated and by every apply, apply_each, baseline and repair, as the extension's owner. Those
-- tables belong to whoever made them: they are read only when they are ordinary tables, without
-- row security, with the columns (and built-in types) the client creates, so that reading them runs
-- no code of their owner's; otherwise a WARNING says why and nothing is adopted.
CREATE FUNCTION trovella_migrate.adopt_client_history()
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $adopt$
DECLARE
    problem text;
    adopted integer;
BEGIN
    IF (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'trovella_migrate_history' AND c.relname IN ('run', 'migration_event')) < 2 THEN
        RETURN 0;
    END IF;
    FOR pass IN 1..2 LOOP
        SELECT format('trovella_migrate_history.%I is %s', c.relname,
                      CASE WHEN c.relkind <> 'r' THEN 'not an ordinary table'
                           WHEN c.relrowsecurity THEN 'protected by row level security'
                           WHEN EXISTS (SELECT FROM pg_inherits i WHERE i.inhparent = c.oid) THEN 'inherited by other tables'
                           ELSE 'missing columns the client engine creates, or has them with other types' END)
        INTO problem
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'trovella_migrate_history' AND c.relname IN ('run', 'migration_event')
          AND (c.relkind <> 'r' OR c.relrowsecurity OR EXISTS (SELECT FROM pg_inherits i WHERE i.inhparent = c.oid)
               OR (SELECT count(*) FROM pg_attribute a
                   JOIN (VALUES ('run', 'run_id', 'bigint'::regtype), ('run', 'function', 'text'), ('run', 'run_by', 'name'),
                                ('run', 'tracking_schema', 'name'), ('run', 'tracking_table', 'name'),
                                ('run', 'backend_pid', 'integer'), ('run', 'application_name', 'text'),
                                ('run', 'started_at', 'timestamptz'), ('run', 'finished_at', 'timestamptz'),
                                ('migration_event', 'event_id', 'bigint'), ('migration_event', 'run_id', 'bigint'),
                                ('migration_event', 'action', 'text'), ('migration_event', 'tracking_schema', 'name'),
                                ('migration_event', 'tracking_table', 'name'), ('migration_event', 'tracking_id', 'bigint'),
                                ('migration_event', 'tag', 'text'), ('migration_event', 'idx', 'integer'),
                                ('migration_event', 'hash', 'text'), ('migration_event', 'previous_hash', 'text'),
                                ('migration_event', 'created_at', 'bigint'), ('migration_event', 'statements', 'integer'),
                                ('migration_event', 'applied_at', 'timestamptz'), ('migration_event', 'applied_by', 'name'),
                                ('migration_event', 'duration_ms', 'double precision')) AS want(rel, col, typ)
                     ON want.rel = c.relname AND want.col = a.attname AND want.typ = a.atttypid
                   WHERE a.attrelid = c.oid AND NOT a.attisdropped)
                  <> CASE c.relname WHEN 'run' THEN 9 ELSE 15 END)
        ORDER BY c.relname DESC
        LIMIT 1;
        IF problem IS NOT NULL THEN
            RAISE WARNING 'the client engine''s history was not adopted: %', problem
                USING DETAIL = 'Reading it could run code chosen by its owner; the extension''s history goes on without it.',
                      HINT = 'Drop schema trovella_migrate_history or make its tables what trovella-migrate creates, then run apply again.';
            RETURN 0;
        END IF;
        -- Checked once before the lock (LOCK on something else could fail or wait), and once more
        -- holding it: nobody can change the tables until this transaction ends.
        EXIT WHEN pass = 2;
        LOCK TABLE ONLY trovella_migrate_history.run, trovella_migrate_history.migration_event IN ACCESS SHARE MODE;
    END LOOP;

    WITH todo AS (
        SELECT r.run_id, r.function, r.run_by, r.tracking_schema, r.tracking_table, r.backend_pid,
               r.application_name, r.started_at, r.finished_at
        FROM ONLY trovella_migrate_history.run r
        WHERE r.function IS NOT NULL AND r.run_by IS NOT NULL AND r.tracking_schema IS NOT NULL
          AND r.tracking_table IS NOT NULL AND r.backend_pid IS NOT NULL AND r.started_at IS NOT NULL
          AND NOT EXISTS (SELECT FROM trovella_migrate.run a
                          WHERE a.source_run_id = r.run_id AND a.finished_at IS NOT NULL)
    ), runs AS (
        INSERT INTO trovella_migrate.run AS a (function, run_by, tracking_schema, tracking_table, backend_pid,
                                              application_name, started_at, finished_at, engine, source_run_id)
        SELECT function, run_by, tracking_schema, tracking_table, backend_pid, application_name, started_at,
               finished_at, 'client', run_id
        FROM todo ORDER BY run_id
        ON CONFLICT (source_run_id) DO UPDATE SET finished_at = excluded.finished_at
        RETURNING a.run_id, a.source_run_id
    ), events AS (
        INSERT INTO trovella_migrate.migration_event (run_id, action, tracking_schema, tracking_table, tracking_id, tag,
                                                      idx, hash, previous_hash, created_at, statements, applied_at,
                                                      applied_by, duration_ms, source_event_id)
        SELECT runs.run_id, e.action, e.tracking_schema, e.tracking_table, e.tracking_id, e.tag, e.idx, e.hash,
               e.previous_hash, e.created_at, e.statements, e.applied_at, e.applied_by, e.duration_ms, e.event_id
        FROM ONLY trovella_migrate_history.migration_event e JOIN runs ON runs.source_run_id = e.run_id
        WHERE e.action IN ('applied', 'adopted', 'baselined', 'repaired', 'removed')
          AND e.tracking_schema IS NOT NULL AND e.tracking_table IS NOT NULL AND e.tag IS NOT NULL
          AND e.hash IS NOT NULL AND e.created_at IS NOT NULL AND e.applied_at IS NOT NULL AND e.applied_by IS NOT NULL
          AND NOT EXISTS (SELECT FROM trovella_migrate.migration_event x WHERE x.source_event_id = e.event_id)
          AND NOT (e.action = 'adopted' AND EXISTS (
                SELECT FROM (SELECT x.action, x.hash, x.created_at FROM trovella_migrate.migration_event x
                             WHERE x.tracking_schema = e.tracking_schema AND x.tracking_table = e.tracking_table
                               AND x.tracking_id = e.tracking_id
                             ORDER BY x.applied_at DESC, x.event_id DESC LIMIT 1) latest
                WHERE latest.action <> 'removed' AND latest.hash = e.hash AND latest.created_at = e.created_at))
        ORDER BY e.event_id
        ON CONFLICT (source_event_id) DO NOTHING
        RETURNING 1
    )
    SELECT count(*) INTO adopted FROM runs;
    RETURN adopted;
END
$adopt$;
COMMENT ON FUNCTION trovella_migrate.adopt_client_history() IS
    'Copies the runs of trovella-migrate --engine client (schema trovella_migrate_history) not yet in the extension''s history; returns how many runs it took up. Run by CREATE EXTENSION, ALTER EXTENSION UPDATE and every apply.';
REVOKE ALL ON FUNCTION trovella_migrate.adopt_client_history() FROM PUBLIC;

SELECT trovella_migrate.adopt_client_history();
