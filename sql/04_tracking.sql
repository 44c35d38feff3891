-- Drizzle's tracking table: exact DDL when missing, one row per migration, renameable; the
-- extension's own history and the history view beside it.
DROP SCHEMA IF EXISTS drizzle CASCADE;
SET client_min_messages = warning;
TRUNCATE trovella_migrate.migration_event, trovella_migrate.run;
\set j '{"entries":[{"idx":0,"when":1774410453496,"tag":"0000_lying_agent_zero"},{"idx":1,"when":1774410453497,"tag":"0001_setup_role_grants"}]}'
\set m '{"0000_lying_agent_zero":"CREATE TABLE t_users (id int);","0001_setup_role_grants":"GRANT SELECT ON t_users TO PUBLIC;"}'
SELECT applied_before, applied, verified FROM trovella_migrate.apply(:'j', :'m');
-- Exactly Drizzle's DDL: id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint.
SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid) AS default
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = 'drizzle.__drizzle_migrations'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT conname, contype FROM pg_constraint WHERE conrelid = 'drizzle.__drizzle_migrations'::regclass;
-- One row per migration: hash and created_at = the journal's `when`.
SELECT id, length(hash) AS hash_length, created_at FROM drizzle.__drizzle_migrations ORDER BY id;
-- The wiki's query works against the history view.
SELECT tracking_table, id, tag, idx, action, statements, applied_by = current_user AS by_me, applied_at IS NOT NULL AS has_time
FROM trovella_migrate.history WHERE tag LIKE '%role_grants%';
SELECT r.function, r.run_by = current_user AS by_me, r.finished_at IS NOT NULL AS finished, count(e.*) AS events
FROM trovella_migrate.run r JOIN trovella_migrate.migration_event e USING (run_id) GROUP BY 1, 2, 3;
-- A table migrated by drizzle-kit itself (rows without extension metadata) reads as applied, and
-- the next apply records ("adopts") the tags it can tell, so the view shows a tag beside every
-- row. The view reads only the extension's own record, so it shows them once adopted.
DROP TABLE t_users;
DROP SCHEMA drizzle CASCADE;
TRUNCATE trovella_migrate.migration_event, trovella_migrate.run;
CREATE SCHEMA drizzle;
CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES
  (encode(sha256('CREATE TABLE t_users (id int);'), 'hex'), 1774410453496),
  (encode(sha256('GRANT SELECT ON t_users TO PUBLIC;'), 'hex'), 1774410453497);
SELECT tag, state, hash = recorded_hash AS same_hash FROM trovella_migrate.status(:'j', :'m');
SELECT id, tag FROM trovella_migrate.history ORDER BY id;
SELECT applied_before, pending, applied, verified FROM trovella_migrate.apply(:'j', :'m');
SELECT id, tag, action FROM trovella_migrate.history ORDER BY id;
-- Extra columns break nothing, and the extension never alters the table (a column called name
-- makes it Drizzle 1.x's version 1: see 15_drizzle_v1).
ALTER TABLE drizzle.__drizzle_migrations ADD COLUMN note text DEFAULT 'x';
SELECT applied, verified FROM trovella_migrate.apply(:'j', :'m');
SELECT ok FROM trovella_migrate.verify(:'j', :'m');
DROP SCHEMA drizzle CASCADE;
-- migrations_schema / migrations_table rename the tracking table, as Drizzle's config does.
SELECT applied, verified FROM trovella_migrate.apply(:'j', :'m',
  '{"migrations_schema":"Ops Schema","migrations_table":"my_migrations"}');
SELECT count(*) FROM "Ops Schema".my_migrations;
SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL AS default_table_untouched;
-- (The view still lists the rows of the dropped drizzle.__drizzle_migrations: it is the extension's
-- record as of the last run on each table, not a read of the tables.)
SELECT tracking_table, tag FROM trovella_migrate.history ORDER BY tracking_table, id;
SELECT tag, state FROM trovella_migrate.status(:'j', NULL, '{"migrations_schema":"Ops Schema","migrations_table":"my_migrations"}');
SELECT ok FROM trovella_migrate.verify(:'j', NULL, '{"migrations_schema":"Ops Schema","migrations_table":"my_migrations"}');
DROP TABLE t_users;
DROP SCHEMA "Ops Schema" CASCADE;
-- Ids are reused when the tracking table is made again (DROP SCHEMA drizzle CASCADE, then a
-- drizzle-kit run): rows are matched by id, hash and created_at, so the new rows are adopted under
-- their own tags, never shown under the old rows' tags, authors and times, and a row gone from the
-- table is recorded as removed and leaves the view.
TRUNCATE trovella_migrate.migration_event, trovella_migrate.run;
SELECT applied FROM trovella_migrate.apply(:'j', :'m');
SELECT id, tag, action FROM trovella_migrate.history ORDER BY id;
DROP SCHEMA drizzle CASCADE;
DROP TABLE t_users;
\set j_other '{"entries":[{"idx":0,"when":1774410459999,"tag":"0000_other_branch"}]}'
\set m_other '{"0000_other_branch":"CREATE TABLE t_other (id int);"}'
CREATE SCHEMA drizzle;
CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
CREATE TABLE t_other (id int);
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES
  (encode(sha256('CREATE TABLE t_other (id int);'), 'hex'), 1774410459999);
SELECT tag, state, applied_at IS NULL AS no_time_known FROM trovella_migrate.status(:'j_other', :'m_other');
SELECT applied_before, applied, verified FROM trovella_migrate.apply(:'j_other', :'m_other');
SELECT id, tag, action, created_at FROM trovella_migrate.history ORDER BY id;
SELECT e.action, e.tracking_id, e.tag FROM trovella_migrate.migration_event e ORDER BY e.event_id;
DROP TABLE t_other;
DROP SCHEMA drizzle CASCADE;
