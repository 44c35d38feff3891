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

-- Progress records of migrations run statement by statement outside a transaction (by the client).
ALTER TABLE trovella_migrate.migration_event DROP CONSTRAINT migration_event_action_check;
ALTER TABLE trovella_migrate.migration_event ADD CONSTRAINT migration_event_action_check
    CHECK (action IN ('applied', 'adopted', 'baselined', 'repaired', 'removed', 'partial'));

-- status() gains progress (a migration run outside a transaction and interrupted shows "partial"),
-- plan() in_transaction. A function's result columns cannot change in place: both are made again,
-- and the grants they had are given again.
CREATE TABLE trovella_migrate.upgrade_grants AS
    SELECT p.proname::text AS function, a.grantee, a.is_grantable
    FROM pg_catalog.pg_proc p, LATERAL pg_catalog.aclexplode(p.proacl) a
    WHERE p.oid IN ('trovella_migrate.status(json, jsonb, jsonb)'::pg_catalog.regprocedure,
                    'trovella_migrate.plan(json, jsonb, jsonb)'::pg_catalog.regprocedure)
      AND a.privilege_type = 'EXECUTE' AND a.grantee OPERATOR(pg_catalog.<>) p.proowner;
DROP FUNCTION trovella_migrate.status(json, jsonb, jsonb);
DROP FUNCTION trovella_migrate.plan(json, jsonb, jsonb);
CREATE FUNCTION trovella_migrate.status(
    journal json,
    migrations jsonb DEFAULT NULL,
    options jsonb DEFAULT '{}')
RETURNS TABLE (idx integer, tag text, created_at bigint, state text, hash text, recorded_hash text,
               applied_at timestamptz, progress text)
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'trovella_migrate_status';
COMMENT ON FUNCTION trovella_migrate.status(json, jsonb, jsonb) IS
    'One row per journal entry, unknown tracking row and orphan file: applied, pending, partial (progress i/n: run outside a transaction and interrupted), modified, out_of_order, unknown, orphan. Read-only.';
CREATE FUNCTION trovella_migrate.plan(
    journal json,
    migrations jsonb,
    options jsonb DEFAULT '{}')
RETURNS TABLE (idx integer, tag text, statement integer, line integer, sql text, in_transaction boolean)
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'trovella_migrate_plan';
COMMENT ON FUNCTION trovella_migrate.plan(json, jsonb, jsonb) IS
    'Dry run: the statements apply would run, one row each, after the same checks; changes nothing. in_transaction false: a migration that cannot run in a transaction, which the trovella-migrate client runs statement by statement (apply() refuses it).';
REVOKE ALL ON FUNCTION trovella_migrate.status(json, jsonb, jsonb), trovella_migrate.plan(json, jsonb, jsonb) FROM PUBLIC;
DO $regrant$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT * FROM trovella_migrate.upgrade_grants LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION trovella_migrate.%I(json, jsonb, jsonb) TO %s%s', g.function,
                                  CASE WHEN g.grantee = 0 THEN 'PUBLIC'
                                       ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) END,
                                  CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$regrant$;
DROP TABLE trovella_migrate.upgrade_grants;

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
-- schema trovella_migrate_history where the extension is not installed, or not chosen) is read
-- by the extension only when it is safe to read as the extension's owner: 'absent' (nothing to
-- read), 'ok', or why not. Those tables belong to whoever made them; they are read only when they
-- are ordinary tables, without row security or children, with the columns (and built-in types)
-- the client creates, so that reading them runs no code of their owner's. Checked once before
-- taking a lock on them and once holding it, so that nobody changes them until the transaction
-- ends.
CREATE FUNCTION trovella_migrate.client_history_state()
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $state$
DECLARE
    problem text;
BEGIN
    IF (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'trovella_migrate_history' AND c.relname IN ('run', 'migration_event')) < 2 THEN
        RETURN 'absent';
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
        IF problem IS NOT NULL OR pass = 2 THEN
            RETURN coalesce(problem, 'ok');
        END IF;
        LOCK TABLE ONLY trovella_migrate_history.run, trovella_migrate_history.migration_event IN ACCESS SHARE MODE;
    END LOOP;
END
$state$;
COMMENT ON FUNCTION trovella_migrate.client_history_state() IS
    'Whether the extension may read the client engine''s history (schema trovella_migrate_history): absent, ok, or why not.';

-- The client engine's history becomes the extension's: each client run is copied once into
-- trovella_migrate.run (engine 'client', its id there kept as source_run_id) with its events
-- (source_event_id); a run still going on is taken up again until it has finished. An "adopted"
-- event of the client's about a row whose latest event here is about that same row adds nothing
-- and is left out. Called when the extension is created or updated and by every apply,
-- apply_each, baseline and repair, as the extension's owner. When the tables may not be read
-- (client_history_state), a WARNING says why and nothing is adopted.
CREATE FUNCTION trovella_migrate.adopt_client_history()
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $adopt$
DECLARE
    state text := trovella_migrate.client_history_state();
    adopted integer;
BEGIN
    IF state = 'absent' THEN
        RETURN 0;
    ELSIF state <> 'ok' THEN
        RAISE WARNING 'the client engine''s history was not adopted: %', state
            USING DETAIL = 'Reading it could run code chosen by its owner; the extension''s history goes on without it.',
                  HINT = 'Drop schema trovella_migrate_history or make its tables what trovella-migrate creates, then run apply again.';
        RETURN 0;
    END IF;

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
        WHERE e.action IN ('applied', 'adopted', 'baselined', 'repaired', 'removed', 'partial')
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

-- Migrations run statement by statement outside a transaction (by the client: apply() cannot)
-- and not finished, on one tracking table: the latest progress record per created_at, from the
-- extension's history and from the client engine's when it may be read (status() shows them
-- "partial" at once, before any run adopts them). Read-only apart from the lock.
CREATE FUNCTION trovella_migrate.partial_migrations(tracking_schema name, tracking_table name)
RETURNS TABLE (created_at bigint, hash text, completed integer, tag text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $partial$
DECLARE
    client_part text := '';
BEGIN
    IF trovella_migrate.client_history_state() = 'ok' THEN
        client_part := ' UNION ALL SELECT e.created_at, e.hash, e.statements, e.tag, e.applied_at, 0::bigint
            FROM ONLY trovella_migrate_history.migration_event e
            WHERE e.action = ''partial'' AND e.tracking_schema = $1 AND e.tracking_table = $2
              AND e.created_at IS NOT NULL AND e.hash IS NOT NULL AND e.statements IS NOT NULL AND e.tag IS NOT NULL';
    END IF;
    -- The latest record of each migration (created_at and tag: Drizzle 1.x folders of one second
    -- share a created_at), oldest first.
    RETURN QUERY EXECUTE
        'SELECT q.created_at, q.hash, q.completed, q.tag FROM (
           SELECT DISTINCT ON (p.created_at, p.tag) p.*
           FROM (SELECT ev.created_at, ev.hash, ev.statements AS completed, ev.tag, ev.applied_at, ev.event_id AS ord
                 FROM trovella_migrate.migration_event ev
                 WHERE ev.action = ''partial'' AND ev.tracking_schema = $1 AND ev.tracking_table = $2'
        || client_part || ') p(created_at, hash, completed, tag, applied_at, ord)
           ORDER BY p.created_at, p.tag, p.applied_at DESC, p.ord DESC) q
         ORDER BY q.applied_at, q.ord'
        USING tracking_schema, tracking_table;
END
$partial$;
COMMENT ON FUNCTION trovella_migrate.partial_migrations(name, name) IS
    'The progress of migrations run statement by statement outside a transaction and not finished, on one tracking table.';
REVOKE ALL ON FUNCTION trovella_migrate.adopt_client_history(), trovella_migrate.client_history_state(),
    trovella_migrate.partial_migrations(name, name) FROM PUBLIC;

SELECT trovella_migrate.adopt_client_history();
