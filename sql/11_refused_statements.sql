-- Statements that can never run through SPI are found by PostgreSQL's parser before anything runs:
-- one error lists every one of them, in every pending migration, with tag, statement number and line.
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS drizzle CASCADE;
SELECT count(*) AS events_before FROM trovella_migrate.migration_event \gset
\set j '{"entries":[{"idx":0,"when":1,"tag":"0000_indexes"},{"idx":1,"when":2,"tag":"0001_cluster_admin"},{"idx":2,"when":3,"tag":"0002_transactions"},{"idx":3,"when":4,"tag":"0003_copy"}]}'
-- Not refused: the words in a string, a comment, a dollar-quoted body and a column name.
SELECT E'SELECT ''CREATE INDEX CONCURRENTLY x ON rs_t (id); VACUUM; COMMIT;'' AS text; -- DROP INDEX CONCURRENTLY rs_i\n'
  '/* BEGIN; VACUUM rs_t; COPY rs_t FROM STDIN; */\n'
  '--> statement-breakpoint\n'
  'DO $$ BEGIN PERFORM ''REINDEX TABLE CONCURRENTLY rs_t''; END $$;\n'
  '--> statement-breakpoint\n'
  'ALTER TABLE rs_t ADD COLUMN "concurrently" int;' AS harmless \gset
SELECT jsonb_build_object(
  '0000_indexes', E'CREATE TABLE rs_t (id int PRIMARY KEY, note text);\n'
    '--> statement-breakpoint\n'
    'CREATE INDEX CONCURRENTLY rs_i ON rs_t (note);\n'
    '--> statement-breakpoint\n'
    '-- a comment line before the statement\n'
    'DROP INDEX CONCURRENTLY IF EXISTS rs_i;\n'
    '--> statement-breakpoint\n'
    'REINDEX TABLE CONCURRENTLY rs_t;\n'
    '--> statement-breakpoint\n'
    'REINDEX (CONCURRENTLY) TABLE rs_t;\n'
    '--> statement-breakpoint\n'
    'VACUUM (ANALYZE) rs_t;',
  '0001_cluster_admin', E'CREATE DATABASE rs_db;\n'
    '--> statement-breakpoint\n'
    'DROP DATABASE IF EXISTS rs_db;\n'
    '--> statement-breakpoint\n'
    'ALTER SYSTEM SET work_mem = ''8MB'';\n'
    '--> statement-breakpoint\n\n\n'
    'CREATE TABLESPACE rs_ts LOCATION ''/nonexistent/rs_ts'';',
  '0002_transactions', E'BEGIN;\n'
    '--> statement-breakpoint\n'
    'INSERT INTO rs_t VALUES (1, ''one'');\n'
    '--> statement-breakpoint\n'
    'SAVEPOINT before_two;\n'
    '--> statement-breakpoint\n'
    'ROLLBACK;\n'
    '--> statement-breakpoint\n'
    'COMMIT;',
  '0003_copy', E'COPY rs_t FROM STDIN;\n'
    '--> statement-breakpoint\n'
    'COPY rs_t (id) TO STDOUT;\n'
    '--> statement-breakpoint\n' || :'harmless') AS m \gset
-- apply: every refused statement of every migration, one error (0A000), nothing ran.
SELECT * FROM trovella_migrate.apply(:'j', :'m');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- plan() refuses what no migration can run (COPY ... FROM STDIN / TO STDOUT here) ...
SELECT * FROM trovella_migrate.plan(:'j', :'m');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- The table created by the very first statement does not exist, nor does the tracking table.
SELECT to_regclass('rs_t') IS NULL AS rs_t_never_created,
       to_regclass('drizzle.__drizzle_migrations') IS NULL AS no_tracking_table,
       (SELECT count(*) FROM pg_database WHERE datname = 'rs_db') AS rs_db_databases,
       (SELECT count(*) FROM trovella_migrate.migration_event) = :events_before AS nothing_recorded;
-- ... and lists a migration that cannot run in a transaction, marked in_transaction false: the
-- client runs it statement by statement.
SELECT * FROM trovella_migrate.plan('{"entries":[{"idx":0,"when":1,"tag":"0000_one_piece"}]}',
  jsonb_build_object('0000_one_piece', E'CREATE TABLE rs_p (id int);\nVACUUM rs_p;\nSELECT 1;\nCOMMIT;'));
-- Several statements in one piece (no breakpoint) are each looked at, each named by its own line.
SELECT * FROM trovella_migrate.apply('{"entries":[{"idx":0,"when":1,"tag":"0000_one_piece"}]}',
  jsonb_build_object('0000_one_piece', E'CREATE TABLE rs_p (id int);\nVACUUM rs_p;\nSELECT 1;\nCOMMIT;'));
-- Without the refused statements the same migrations apply; CONCURRENTLY in a string, a comment, a
-- dollar-quoted body or as a column name was never flagged.
SELECT jsonb_build_object(
  '0000_indexes', E'CREATE TABLE rs_t (id int PRIMARY KEY, note text);\n--> statement-breakpoint\nCREATE INDEX rs_i ON rs_t (note);\n--> statement-breakpoint\nREINDEX TABLE rs_t;\n--> statement-breakpoint\nANALYZE rs_t;',
  '0001_cluster_admin', 'SELECT 1;',
  '0002_transactions', E'INSERT INTO rs_t VALUES (1, ''one'');',
  '0003_copy', :'harmless') AS m_ok \gset
SELECT idx, tag, statement, line FROM trovella_migrate.plan(:'j', :'m_ok') WHERE tag = '0003_copy';
SELECT applied, verified, applied_tags FROM trovella_migrate.apply(:'j', :'m_ok');
SELECT id, note, "concurrently" FROM rs_t;
DROP TABLE rs_t;
DROP SCHEMA drizzle CASCADE;
