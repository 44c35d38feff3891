-- plan() returns exactly what apply would run and changes nothing; baseline() records entries up to
-- a tag without running them, and apply then runs only the rest.
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS drizzle CASCADE;
\set j '{"entries":[{"idx":0,"when":1700000000000,"tag":"0000_a"},{"idx":1,"when":1700000000001,"tag":"0001_b"},{"idx":2,"when":1700000000002,"tag":"0002_c"},{"idx":3,"when":1700000000003,"tag":"0003_seed"}]}'
SELECT jsonb_build_object(
  '0000_a', E'CREATE TABLE pb_a (id int PRIMARY KEY);',
  '0001_b', E'CREATE TABLE pb_b (id int PRIMARY KEY);\n--> statement-breakpoint\nCOMMENT ON TABLE pb_b IS ''b'';',
  '0002_c', E'-- c holds the seed\nCREATE TABLE pb_c (id int PRIMARY KEY, note text);\n--> statement-breakpoint\n\nCREATE INDEX pb_c_note ON pb_c (note);',
  '0003_seed', E'INSERT INTO pb_c VALUES (1, ''one'');\n--> statement-breakpoint\nINSERT INTO pb_c VALUES (2, ''two'');') AS m \gset
-- What plan could change: relations, schemas, the tracking table, the extension's history.
CREATE TEMP VIEW pb_snapshot AS
SELECT (SELECT coalesce(string_agg(c.oid::regclass::text, ',' ORDER BY c.oid), '') FROM pg_class c
        WHERE c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
          AND c.relpersistence <> 't') AS relations,
       (SELECT string_agg(nspname, ',' ORDER BY oid) FROM pg_namespace WHERE nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast_temp%') AS schemas,
       (SELECT coalesce(string_agg(format('%s:%s:%s:%s', tracking_table, id, created_at, hash), ',' ORDER BY tracking_table, id), '') FROM trovella_migrate.history) AS tracking,
       (SELECT count(*) FROM trovella_migrate.run) AS runs,
       (SELECT count(*) FROM trovella_migrate.migration_event) AS events;
SELECT * FROM pb_snapshot \gset before_
-- 1. On a fresh database: every statement, in order, with its number and line; and nothing changes
-- (not even a transaction id is assigned: plan wrote nothing).
BEGIN;
SELECT idx, tag, statement, line, sql FROM trovella_migrate.plan(:'j', :'m');
SELECT pg_current_xact_id_if_assigned() IS NULL AS plan_wrote_nothing;
COMMIT;
SELECT relations = :'before_relations' AS same_relations, schemas = :'before_schemas' AS same_schemas,
       tracking = :'before_tracking' AS same_tracking,
       runs = :before_runs AS same_runs, events = :before_events AS same_events,
       to_regclass('drizzle.__drizzle_migrations') IS NULL AS no_tracking_table
FROM pb_snapshot;
-- 2. With 0000_a and 0001_b applied: plan lists only 0002_c and 0003_seed and changes nothing.
SELECT applied, applied_tags FROM trovella_migrate.apply(
  '{"entries":[{"idx":0,"when":1700000000000,"tag":"0000_a"},{"idx":1,"when":1700000000001,"tag":"0001_b"}]}',
  :'m'::jsonb - '0002_c' - '0003_seed');
SELECT * FROM pb_snapshot \gset before_
CREATE TEMP TABLE pb_plan AS SELECT * FROM trovella_migrate.plan(:'j', :'m');
SELECT idx, tag, statement, line FROM pb_plan ORDER BY idx, statement;
SELECT relations = :'before_relations' AS same_relations, schemas = :'before_schemas' AS same_schemas,
       tracking = :'before_tracking' AS same_tracking, runs = :before_runs AS same_runs,
       events = :before_events AS same_events
FROM pb_snapshot;
-- apply then runs exactly the planned migrations, with the planned number of statements.
SELECT max(event_id) AS last_event FROM trovella_migrate.migration_event \gset
SELECT applied, applied_tags,
       applied_tags = (SELECT array_agg(DISTINCT tag ORDER BY tag) FROM pb_plan) AS as_planned
FROM trovella_migrate.apply(:'j', :'m');
SELECT e.tag, e.statements, (SELECT count(*) FROM pb_plan p WHERE p.tag = e.tag) AS planned_statements
FROM trovella_migrate.migration_event e WHERE e.event_id > :last_event ORDER BY e.event_id;
-- Once everything is applied, there is nothing to plan.
SELECT count(*) AS nothing_planned FROM trovella_migrate.plan(:'j', :'m');
-- plan makes the same checks as apply: an edited applied file is refused by both.
SELECT * FROM trovella_migrate.plan(:'j', jsonb_set(:'m', '{0000_a}', '"CREATE TABLE pb_a (id bigint PRIMARY KEY);"'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM trovella_migrate.apply(:'j', jsonb_set(:'m', '{0000_a}', '"CREATE TABLE pb_a (id bigint PRIMARY KEY);"'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
DROP TABLE pb_a, pb_b, pb_c;
DROP SCHEMA drizzle CASCADE;
TRUNCATE pb_plan;

-- 3. baseline: record 0000_a and 0001_b as applied without running them.
SET client_min_messages = notice;
SELECT idx, tag, created_at, hash = encode(sha256(convert_to(:'m'::jsonb ->> tag, 'UTF8')), 'hex') AS hash_is_sha256_of_file
FROM trovella_migrate.baseline(:'j', :'m', '0001_b');
SET client_min_messages = warning;
-- Their tables do not exist: nothing ran.
SELECT to_regclass('pb_a') IS NULL AS pb_a_not_created, to_regclass('pb_b') IS NULL AS pb_b_not_created;
-- The rows exist with the file's hash and the journal's when; the history says 'baselined'.
SELECT m.created_at, m.hash = encode(sha256(convert_to(:'m'::jsonb ->> h.tag, 'UTF8')), 'hex') AS right_hash,
       h.tag, h.action, h.applied_by = current_user AS by_me, h.statements, h.duration_ms
FROM drizzle.__drizzle_migrations m JOIN trovella_migrate.history h
  ON h.id = m.id AND h.tracking_table = 'drizzle.__drizzle_migrations' ORDER BY m.id;
SELECT r.function, e.action, e.tag, e.idx, e.previous_hash
FROM trovella_migrate.migration_event e JOIN trovella_migrate.run r USING (run_id)
WHERE e.event_id > (SELECT max(event_id) - 2 FROM trovella_migrate.migration_event) ORDER BY e.event_id;
SELECT idx, tag, state FROM trovella_migrate.status(:'j', :'m');
-- Baselining again through the same (or an earlier) tag records nothing more.
SELECT count(*) AS recorded_again FROM trovella_migrate.baseline(:'j', :'m', '0001_b');
SELECT count(*) AS recorded_again FROM trovella_migrate.baseline(:'j', :'m', '0000_a');
-- plan and apply now run only the rest.
SELECT DISTINCT tag FROM trovella_migrate.plan(:'j', :'m') ORDER BY tag;
SELECT applied_before, applied, verified, applied_tags FROM trovella_migrate.apply(:'j', :'m');
SELECT to_regclass('pb_a') IS NULL AS pb_a_still_absent, (SELECT count(*) FROM pb_c) AS pb_c_rows;
SELECT id, created_at, tag, action, statements FROM trovella_migrate.history
WHERE tracking_table = 'drizzle.__drizzle_migrations' ORDER BY id;
SELECT ok, problems FROM trovella_migrate.verify(:'j', :'m');
-- Errors: a tag not in the journal; a journal entry without its text.
SELECT * FROM trovella_migrate.baseline(:'j', :'m', '0009_missing');
SELECT * FROM trovella_migrate.baseline(:'j', :'m'::jsonb - '0003_seed', '0001_b');
DROP TABLE pb_c;
DROP SCHEMA drizzle CASCADE;
