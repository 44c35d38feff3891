-- trovella_migrate: install script. The Makefile installs it as trovella_migrate--<version>.sql,
-- the version being default_version in trovella_migrate.control (its one place). Upgrades from an
-- earlier version are the trovella_migrate--<from>--<to>.sql scripts beside it.
\echo Use "CREATE EXTENSION trovella_migrate" to load this file. \quit

-- The extension's own history. Drizzle's tracking table (drizzle.__drizzle_migrations by default)
-- stays Drizzle's: these tables sit beside it and are written only by the extension's functions,
-- under the extension owner's identity.
CREATE TABLE trovella_migrate.run (
    run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    function text NOT NULL,
    run_by name NOT NULL,
    tracking_schema name NOT NULL,
    tracking_table name NOT NULL,
    backend_pid integer NOT NULL DEFAULT pg_catalog.pg_backend_pid(),
    application_name text DEFAULT pg_catalog.current_setting('application_name'),
    started_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_at timestamptz,
    engine text NOT NULL DEFAULT 'extension' CHECK (engine IN ('extension', 'client')),
    source_run_id bigint UNIQUE
);
COMMENT ON TABLE trovella_migrate.run IS
    'One row per call of apply (or baseline, repair) that recorded something; engine client: a run of trovella-migrate --engine client, adopted from trovella_migrate_history.run (its run_id there is source_run_id).';

CREATE TABLE trovella_migrate.migration_event (
    event_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id bigint NOT NULL REFERENCES trovella_migrate.run (run_id),
    action text NOT NULL CHECK (action IN ('applied', 'adopted', 'baselined', 'repaired', 'removed', 'partial')),
    tracking_schema name NOT NULL,
    tracking_table name NOT NULL,
    tracking_id bigint,
    tag text NOT NULL,
    idx integer,
    hash text NOT NULL,
    previous_hash text,
    created_at bigint NOT NULL,
    statements integer,
    applied_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    applied_by name NOT NULL,
    duration_ms double precision,
    source_event_id bigint UNIQUE
);
COMMENT ON TABLE trovella_migrate.migration_event IS
    'What happened to each tracking row: applied by apply, adopted (written by drizzle-kit, tag recorded), baselined, repaired, removed (found gone from the tracking table).';
CREATE INDEX migration_event_tracking_idx
    ON trovella_migrate.migration_event (tracking_schema, tracking_table, tracking_id);

-- Kept by pg_dump, so the history survives a dump and restore: the tables' rows, and the
-- sequences behind their identity columns (else the first run after a restore would reuse ids).
SELECT pg_catalog.pg_extension_config_dump('trovella_migrate.run', '');
SELECT pg_catalog.pg_extension_config_dump('trovella_migrate.migration_event', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('trovella_migrate.run', 'run_id'), '');
SELECT pg_catalog.pg_extension_config_dump(
    pg_catalog.pg_get_serial_sequence('trovella_migrate.migration_event', 'event_id'), '');

CREATE FUNCTION trovella_migrate.apply(
    journal json,
    migrations jsonb,
    options jsonb DEFAULT '{}',
    OUT expected integer,
    OUT applied_before integer,
    OUT pending integer,
    OUT applied integer,
    OUT verified boolean,
    OUT applied_tags text[],
    OUT message text)
RETURNS record
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'trovella_migrate_apply';
COMMENT ON FUNCTION trovella_migrate.apply(json, jsonb, jsonb) IS
    'Applies every pending migration of the journal in the caller''s transaction and verifies the result.';

CREATE PROCEDURE trovella_migrate.apply_each(
    journal json,
    migrations jsonb,
    options jsonb DEFAULT '{}',
    INOUT expected integer DEFAULT NULL,
    INOUT applied_before integer DEFAULT NULL,
    INOUT pending integer DEFAULT NULL,
    INOUT applied integer DEFAULT NULL,
    INOUT verified boolean DEFAULT NULL,
    INOUT applied_tags text[] DEFAULT NULL,
    INOUT message text DEFAULT NULL)
LANGUAGE c
AS 'MODULE_PATHNAME', 'trovella_migrate_apply_each';
COMMENT ON PROCEDURE trovella_migrate.apply_each(json, jsonb, jsonb, integer, integer, integer, integer, boolean, text[], text) IS
    'Like apply(), committing after each migration (CALL it outside a transaction block).';

CREATE FUNCTION trovella_migrate.apply_folder(
    path text,
    options jsonb DEFAULT '{}',
    OUT expected integer,
    OUT applied_before integer,
    OUT pending integer,
    OUT applied integer,
    OUT verified boolean,
    OUT applied_tags text[],
    OUT message text)
RETURNS record
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'trovella_migrate_apply_folder';
COMMENT ON FUNCTION trovella_migrate.apply_folder(text, jsonb) IS
    'apply() for a migrations folder on the database server (superuser or pg_read_server_files).';

CREATE FUNCTION trovella_migrate.baseline(
    journal json,
    migrations jsonb,
    through_tag text,
    options jsonb DEFAULT '{}')
RETURNS TABLE (idx integer, tag text, created_at bigint, hash text)
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'trovella_migrate_baseline';
COMMENT ON FUNCTION trovella_migrate.baseline(json, jsonb, text, jsonb) IS
    'Records the entries up to and including through_tag as applied without running them (adopting an existing database).';

CREATE FUNCTION trovella_migrate.repair(
    journal json,
    migrations jsonb,
    tag text,
    options jsonb DEFAULT '{}',
    OUT idx integer,
    OUT tag text,
    OUT created_at bigint,
    OUT previous_hash text,
    OUT hash text)
RETURNS record
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'trovella_migrate_repair';
COMMENT ON FUNCTION trovella_migrate.repair(json, jsonb, text, jsonb) IS
    'Records the new hash of an applied migration whose file was edited on purpose; the old hash stays in the history.';

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

CREATE FUNCTION trovella_migrate.verify(
    journal json,
    migrations jsonb DEFAULT NULL,
    options jsonb DEFAULT '{}',
    OUT expected integer,
    OUT actual integer,
    OUT ok boolean,
    OUT problems text[])
RETURNS record
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'trovella_migrate_verify';
COMMENT ON FUNCTION trovella_migrate.verify(json, jsonb, jsonb) IS
    'Layer 2: compares the journal with the tracking table, read-only; raises unless {"raise": false}.';

CREATE FUNCTION trovella_migrate.plan(
    journal json,
    migrations jsonb,
    options jsonb DEFAULT '{}')
RETURNS TABLE (idx integer, tag text, statement integer, line integer, sql text, in_transaction boolean)
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'trovella_migrate_plan';
COMMENT ON FUNCTION trovella_migrate.plan(json, jsonb, jsonb) IS
    'Dry run: the statements apply would run, one row each, after the same checks; changes nothing. in_transaction false: a migration that cannot run in a transaction, which the trovella-migrate client runs statement by statement (apply() refuses it).';

CREATE FUNCTION trovella_migrate.last_run()
RETURNS TABLE (run_id bigint, function text, action text, tag text, idx integer, statements integer,
               duration_ms double precision, committed boolean)
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'trovella_migrate_last_run';
COMMENT ON FUNCTION trovella_migrate.last_run() IS
    'What this session''s last apply, apply_each, baseline or repair call recorded, one row per migration (committed: apply_each only).';

-- The extension's record of every tracking row it applied, adopted, baselined or repaired: the
-- latest event about each row. It reads the extension's own tables only (each event carries the
-- row's id, hash and created_at), never a tracking table: a relation named by a caller of apply()
-- could run that caller's code with the reader's rights.
CREATE VIEW trovella_migrate.history AS
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

-- Nothing is callable or readable by PUBLIC: grant what each role needs (see README).
GRANT USAGE ON SCHEMA trovella_migrate TO PUBLIC;
REVOKE ALL ON FUNCTION trovella_migrate.apply(json, jsonb, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION trovella_migrate.status(json, jsonb, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION trovella_migrate.verify(json, jsonb, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION trovella_migrate.plan(json, jsonb, jsonb) FROM PUBLIC;
REVOKE ALL ON PROCEDURE trovella_migrate.apply_each(json, jsonb, jsonb, integer, integer, integer, integer, boolean, text[], text) FROM PUBLIC;
REVOKE ALL ON FUNCTION trovella_migrate.apply_folder(text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION trovella_migrate.baseline(json, jsonb, text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION trovella_migrate.repair(json, jsonb, text, jsonb) FROM PUBLIC;
-- last_run() shows only what the calling session itself ran.
GRANT EXECUTE ON FUNCTION trovella_migrate.last_run() TO PUBLIC;
REVOKE ALL ON TABLE trovella_migrate.run, trovella_migrate.migration_event, trovella_migrate.history FROM PUBLIC;
REVOKE ALL ON FUNCTION trovella_migrate.adopt_client_history(), trovella_migrate.client_history_state(),
    trovella_migrate.partial_migrations(name, name) FROM PUBLIC;

-- A client engine that ran here before the extension was installed: its history, adopted now.
SELECT trovella_migrate.adopt_client_history();
