-- A failing statement rolls the whole apply back and keeps PostgreSQL's error, with context.
DROP SCHEMA IF EXISTS drizzle CASCADE;
SET client_min_messages = warning;
SELECT count(*) AS history_before FROM trovella_migrate.migration_event \gset
\set VERBOSITY verbose
\set j '{"entries":[{"idx":0,"when":1,"tag":"0000_ok"},{"idx":1,"when":2,"tag":"0001_fails"}]}'
-- A unique violation: SQLSTATE 23505, PostgreSQL's message and detail, plus the migration context.
SELECT * FROM trovella_migrate.apply(:'j', jsonb_build_object(
  '0000_ok', E'CREATE TABLE e_t (id int PRIMARY KEY);',
  '0001_fails', E'INSERT INTO e_t VALUES (1);\n--> statement-breakpoint\n\n  INSERT INTO e_t VALUES (1);--> statement-breakpoint\nSELECT 3;'));
-- Nothing recorded, no table left behind (the tracking table itself was rolled back too).
SELECT to_regclass('e_t') IS NULL AS no_table, to_regclass('drizzle.__drizzle_migrations') IS NULL AS no_tracking_table;
SELECT count(*) = :history_before AS nothing_recorded FROM trovella_migrate.migration_event;
-- A raised error keeps its own SQLSTATE, detail and hint.
SELECT * FROM trovella_migrate.apply(:'j', jsonb_build_object('0000_ok', 'SELECT 1;', '0001_fails',
  E'DO $$ BEGIN RAISE EXCEPTION ''custom failure'' USING ERRCODE = ''P0042'', DETAIL = ''the detail'', HINT = ''the hint''; END $$;'));
-- A syntax error is found before anything runs, pointing into the statement.
SELECT * FROM trovella_migrate.apply(:'j', jsonb_build_object('0000_ok', 'CREATE TABLE e_t2 (id int);', '0001_fails',
  E'SELECT 1;\n--> statement-breakpoint\nCREATE TABLE e_t3 (id int,, x int);'));
SELECT to_regclass('e_t2') IS NULL AS nothing_ran;
\set VERBOSITY default
-- Statements SPI cannot run give a clear error before anything runs, never a silent success.
SELECT * FROM trovella_migrate.apply(:'j', jsonb_build_object('0000_ok', 'CREATE TABLE e_t2 (id int);', '0001_fails',
  E'BEGIN;\n--> statement-breakpoint\nCREATE TABLE e_t4 (id int);\n--> statement-breakpoint\nCOMMIT;'));
SELECT * FROM trovella_migrate.apply(:'j', jsonb_build_object('0000_ok', 'CREATE TABLE e_t2 (id int);', '0001_fails',
  E'COPY e_t2 FROM STDIN;'));
SELECT * FROM trovella_migrate.apply(:'j', jsonb_build_object('0000_ok', 'CREATE TABLE e_t2 (id int);', '0001_fails',
  E'CREATE INDEX CONCURRENTLY e_i ON e_t2 (id);\n--> statement-breakpoint\nVACUUM e_t2;\n--> statement-breakpoint\nSELECT ''CREATE INDEX CONCURRENTLY in a string is fine''; -- and CONCURRENTLY in a comment'));
SELECT to_regclass('e_t2') IS NULL AS nothing_ran;
-- Several statements in one piece (no markers) are each checked.
SELECT * FROM trovella_migrate.apply(:'j', jsonb_build_object('0000_ok', 'SELECT 1;', '0001_fails',
  E'SELECT 1; SAVEPOINT s; SELECT 2;'));
-- The caller's transaction: an error after apply (in the same transaction) undoes the migrations.
BEGIN;
SELECT applied FROM trovella_migrate.apply(:'j', jsonb_build_object('0000_ok', 'CREATE TABLE e_t5 (id int);', '0001_fails', 'SELECT 1;'));
SELECT count(*) FROM drizzle.__drizzle_migrations;
ROLLBACK;
SELECT to_regclass('e_t5') IS NULL AS rolled_back_with_caller;
