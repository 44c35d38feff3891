-- Distinct causes, distinct SQLSTATEs (DESIGN section 8): a client tells "this session cannot
-- migrate" (class 25) from "the history disagrees with the journal" (55000), from "permission
-- denied" (42501, with the GRANT to run), from bad input (22023), a failed verification (22000),
-- a statement that cannot run inside a migration (0A000) and a tracking table that is not an
-- ordinary table (42809).
DROP SCHEMA IF EXISTS drizzle CASCADE;
SET client_min_messages = warning;
\set VERBOSITY sqlstate
\set j '{"entries":[{"idx":0,"when":1,"tag":"0000_a"},{"idx":1,"when":2,"tag":"0001_b"}]}'
\set m '{"0000_a":"CREATE TABLE st_a (id int);","0001_b":"CREATE TABLE st_b (id int);"}'
-- This session cannot migrate: read-only (25006), its isolation level (25000), a committing call
-- inside a transaction block (25001).
BEGIN TRANSACTION READ ONLY;
SELECT * FROM trovella_migrate.apply(:'j', :'m');
ROLLBACK;
SET default_transaction_read_only = on;
SELECT * FROM trovella_migrate.baseline(:'j', :'m', '0000_a');
RESET default_transaction_read_only;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT * FROM trovella_migrate.repair(:'j', :'m', '0000_a');
ROLLBACK;
BEGIN;
CALL trovella_migrate.apply_each(:'j', :'m');
ROLLBACK;
-- Bad input (22023): a bad option, an idx that is not an integer, a temporary tracking schema.
SELECT * FROM trovella_migrate.apply(:'j', :'m', '{"no_such_option": 1}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":2147483648,"when":1,"tag":"0000_a"}]}');
\set VERBOSITY default
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":2147483648,"when":1,"tag":"0000_a"}]}');
\set VERBOSITY sqlstate
SELECT * FROM trovella_migrate.apply(:'j', :'m', '{"migrations_schema": "pg_temp"}');
-- A statement that cannot run inside a migration (0A000).
SELECT * FROM trovella_migrate.apply(:'j', '{"0000_a":"VACUUM;","0001_b":"SELECT 1;"}');
-- The history disagrees with the journal (55000): modified, database ahead.
SELECT applied FROM trovella_migrate.apply(:'j', :'m');
SELECT * FROM trovella_migrate.apply(:'j', '{"0000_a":"CREATE TABLE st_a (id bigint);","0001_b":"CREATE TABLE st_b (id int);"}');
SELECT * FROM trovella_migrate.apply('{"entries":[{"idx":0,"when":1,"tag":"0000_a"}]}', '{"0000_a":"CREATE TABLE st_a (id int);"}');
-- A failed verification (22000).
SELECT * FROM trovella_migrate.verify('{"entries":[{"idx":0,"when":1,"tag":"0000_a"},{"idx":1,"when":2,"tag":"0001_b"},{"idx":2,"when":3,"tag":"0002_c"}]}');
-- Permission denied (42501), with the GRANT in the hint.
DROP ROLE IF EXISTS regress_tm_reader;
CREATE ROLE regress_tm_reader;
GRANT EXECUTE ON FUNCTION trovella_migrate.status(json, jsonb, jsonb) TO regress_tm_reader;
SET ROLE regress_tm_reader;
SELECT * FROM trovella_migrate.status(:'j');
\set VERBOSITY default
SELECT * FROM trovella_migrate.status(:'j');
\set VERBOSITY sqlstate
SELECT * FROM trovella_migrate.verify(:'j');
RESET ROLE;
-- A tracking table that is not an ordinary table (42809).
CREATE VIEW public.tracking_view AS SELECT 1 AS id, 'x'::text AS hash, 1::bigint AS created_at;
SELECT * FROM trovella_migrate.status(:'j', NULL, '{"migrations_schema": "public", "migrations_table": "tracking_view"}');
\set VERBOSITY default
SELECT * FROM trovella_migrate.status(:'j', NULL, '{"migrations_schema": "public", "migrations_table": "tracking_view"}');
-- Tracking tables "a.b"."c" and "a"."b.c" are two tables: told apart in the history and locked
-- under different keys.
\set q '{"0000_a":"SELECT 1;","0001_b":"SELECT 2;"}'
SELECT applied FROM trovella_migrate.apply(:'j', :'q', '{"migrations_schema": "a.b", "migrations_table": "c"}');
SELECT applied FROM trovella_migrate.apply(:'j', :'q', '{"migrations_schema": "a", "migrations_table": "b.c"}');
SELECT tracking_table, count(*) FROM trovella_migrate.history WHERE tracking_table LIKE 'a%b%c%' OR tracking_table LIKE '"a.b%' GROUP BY 1 ORDER BY 1;
BEGIN;
SELECT applied FROM trovella_migrate.apply(:'j', :'q', '{"migrations_schema": "a.b", "migrations_table": "c"}');
SELECT objid AS key_one FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() \gset
ROLLBACK;
BEGIN;
SELECT applied FROM trovella_migrate.apply(:'j', :'q', '{"migrations_schema": "a", "migrations_table": "b.c"}');
SELECT objid AS key_two FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() \gset
ROLLBACK;
SELECT :key_one <> :key_two AS different_lock_keys;
-- Clean up.
DROP VIEW public.tracking_view;
DROP TABLE st_a, st_b;
DROP SCHEMA drizzle CASCADE;
DROP SCHEMA "a.b" CASCADE;
DROP SCHEMA a CASCADE;
REVOKE EXECUTE ON FUNCTION trovella_migrate.status(json, jsonb, jsonb) FROM regress_tm_reader;
DROP ROLE regress_tm_reader;
