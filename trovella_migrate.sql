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
    finished_at timestamptz
);
COMMENT ON TABLE trovella_migrate.run IS 'One row per call of apply (or baseline, repair) that recorded something.';

CREATE TABLE trovella_migrate.migration_event (
    event_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id bigint NOT NULL REFERENCES trovella_migrate.run (run_id),
    action text NOT NULL CHECK (action IN ('applied', 'adopted', 'baselined', 'repaired', 'removed')),
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
    duration_ms double precision
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
               applied_at timestamptz)
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'trovella_migrate_status';
COMMENT ON FUNCTION trovella_migrate.status(json, jsonb, jsonb) IS
    'One row per journal entry, unknown tracking row and orphan file: applied, pending, modified, out_of_order, unknown, orphan. Read-only.';

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
RETURNS TABLE (idx integer, tag text, statement integer, line integer, sql text)
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'trovella_migrate_plan';
COMMENT ON FUNCTION trovella_migrate.plan(json, jsonb, jsonb) IS
    'Dry run: the statements apply would run, one row each, after the same checks; changes nothing.';

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
