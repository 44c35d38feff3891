-- Layer 2: verify reads only the journal and the tracking table; read-only; raises when not ok.
DROP SCHEMA IF EXISTS drizzle CASCADE;
\set j '{"entries":[{"idx":0,"when":1,"tag":"0000_a"},{"idx":1,"when":2,"tag":"0001_b"}]}'
\set m '{"0000_a":"CREATE TABLE v_a (id int);","0001_b":"CREATE TABLE v_b (id int);"}'
-- No tracking table at all: verify does not create one.
SELECT * FROM trovella_migrate.verify(:'j', NULL, '{"raise": false}');
SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL AS still_no_table;
SELECT * FROM trovella_migrate.verify(:'j');
SET client_min_messages = warning;
SELECT applied FROM trovella_migrate.apply('{"entries":[{"idx":0,"when":1,"tag":"0000_a"}]}', :'m');
RESET client_min_messages;
-- Count mismatch: the wiki's message, the problems listed; {"raise": false} returns the row.
SELECT * FROM trovella_migrate.verify(:'j');
SELECT * FROM trovella_migrate.verify(:'j', NULL, '{"raise": false}');
SET client_min_messages = warning;
SELECT applied FROM trovella_migrate.apply(:'j', :'m');
RESET client_min_messages;
-- Read-only: works in a READ ONLY transaction (as on a hot standby), status too.
BEGIN TRANSACTION READ ONLY;
SELECT * FROM trovella_migrate.verify(:'j');
SELECT * FROM trovella_migrate.verify(:'j', :'m');
SELECT tag, state FROM trovella_migrate.status(:'j', :'m');
COMMIT;
-- verify with the database ahead.
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('abc', 3);
SELECT * FROM trovella_migrate.verify(:'j');
SELECT * FROM trovella_migrate.verify(:'j', NULL, '{"raise": false}');
-- Options verify does not accept.
SELECT * FROM trovella_migrate.verify(:'j', NULL, '{"allow_modified": true}');
SELECT * FROM trovella_migrate.verify(:'j', NULL, '{"raise": "no"}');
DROP TABLE v_a, v_b;
DROP SCHEMA drizzle CASCADE;
