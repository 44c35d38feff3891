-- Layer 1 inside apply: the wiki's messages verbatim, the guard, the count after.
DROP SCHEMA IF EXISTS drizzle CASCADE;
\set j '{"entries":[{"idx":0,"when":1,"tag":"0000_a"},{"idx":1,"when":2,"tag":"0001_b"}]}'
\set m '{"0000_a":"CREATE TABLE l_a (id int);","0001_b":"CREATE TABLE l_b (id int);"}'
SET client_min_messages = warning;
SELECT expected, applied_before, pending, applied, verified, applied_tags, message
FROM trovella_migrate.apply('{"entries":[{"idx":0,"when":1,"tag":"0000_a"}]}', :'m');
SELECT expected, applied_before, pending, applied, verified, applied_tags, message FROM trovella_migrate.apply(:'j', :'m');
-- Re-running on an up-to-date database applies nothing and says so.
SELECT expected, applied_before, pending, applied, verified, applied_tags, message FROM trovella_migrate.apply(:'j', :'m');
-- Guard: the database is ahead of the journal.
SELECT * FROM trovella_migrate.apply('{"entries":[{"idx":0,"when":1,"tag":"0000_a"}]}', :'m');
-- Count after: a migration that deletes tracking rows is caught, and nothing is committed.
\set m3 '{"0000_a":"CREATE TABLE l_a (id int);","0001_b":"CREATE TABLE l_b (id int);","0002_evil":"CREATE TABLE l_c (id int);--> statement-breakpoint\\nDELETE FROM drizzle.__drizzle_migrations WHERE created_at = 1;"}'
SELECT * FROM trovella_migrate.apply('{"entries":[{"idx":0,"when":1,"tag":"0000_a"},{"idx":1,"when":2,"tag":"0001_b"},{"idx":2,"when":3,"tag":"0002_evil"}]}', :'m3');
SELECT count(*) AS rows_kept, to_regclass('l_c') IS NULL AS l_c_rolled_back FROM drizzle.__drizzle_migrations;
-- An empty journal on a fresh table: nothing expected, nothing applied, verified.
DROP TABLE l_a, l_b;
DROP SCHEMA drizzle CASCADE;
SELECT expected, applied, verified, message FROM trovella_migrate.apply('{"entries":[]}', '{}');
DROP SCHEMA drizzle CASCADE;
-- A runner must see what another runner committed while it waited for the lock: apply refuses
-- REPEATABLE READ and SERIALIZABLE, whose snapshot predates the lock.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM trovella_migrate.apply(:'j', :'m');
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT * FROM trovella_migrate.apply(:'j', :'m');
ROLLBACK;
-- status and verify read only, so any isolation level is fine for them.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT expected, actual FROM trovella_migrate.verify(:'j', NULL, '{"raise": false}');
ROLLBACK;
-- A read-only transaction cannot record anything: refused before anything runs.
BEGIN TRANSACTION READ ONLY;
SELECT * FROM trovella_migrate.apply(:'j', :'m');
ROLLBACK;
