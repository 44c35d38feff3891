-- Migrations run with the caller's rights and search_path; the extension's history is written
-- under the extension owner's identity and is not writable by the caller.
DROP SCHEMA IF EXISTS drizzle CASCADE;
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_tm_migrator;
CREATE ROLE regress_tm_migrator;
SELECT current_database() AS db \gset
GRANT CREATE ON DATABASE :"db" TO regress_tm_migrator;
GRANT CREATE ON SCHEMA public TO regress_tm_migrator;
\set j '{"entries":[{"idx":0,"when":1,"tag":"0000_a"}]}'
\set m '{"0000_a":"CREATE TABLE sec_t (id int);"}'
-- Not granted: refused.
SET ROLE regress_tm_migrator;
SELECT * FROM trovella_migrate.apply(:'j', :'m');
RESET ROLE;
GRANT EXECUTE ON FUNCTION trovella_migrate.apply(json, jsonb, jsonb), trovella_migrate.status(json, jsonb, jsonb),
  trovella_migrate.verify(json, jsonb, jsonb) TO regress_tm_migrator;
-- A hostile search_path: an operator and functions shadowing the catalog's change nothing the
-- extension does; the migration itself runs with the caller's search_path.
CREATE SCHEMA evil;
CREATE FUNCTION evil.boom(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked'; END $$;
CREATE OPERATOR evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = evil.boom);
CREATE FUNCTION evil.pg_advisory_xact_lock(integer, integer) RETURNS void LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked'; END $$;
GRANT USAGE, CREATE ON SCHEMA evil TO regress_tm_migrator;
SET ROLE regress_tm_migrator;
SET search_path = evil, public, pg_catalog;
SELECT applied, verified FROM trovella_migrate.apply(:'j', :'m');
RESET search_path;
-- The migration ran as the caller, with the caller's search_path (sec_t landed in schema evil);
-- the caller owns what it created and the tracking table, as with Drizzle.
SELECT schemaname, tablename, tableowner FROM pg_tables WHERE tablename IN ('sec_t', '__drizzle_migrations') ORDER BY tablename;
-- The history says who applied it, and the caller cannot write it directly.
SELECT tag, state FROM trovella_migrate.status(:'j');
INSERT INTO trovella_migrate.migration_event (run_id, action, tracking_schema, tracking_table, tag, hash, created_at, applied_by)
  VALUES (1, 'applied', 'drizzle', '__drizzle_migrations', 'forged', 'x', 9, 'me');
UPDATE trovella_migrate.run SET run_by = 'someone';
SELECT count(*) FROM trovella_migrate.migration_event;
RESET ROLE;
SELECT tag, action, applied_by FROM trovella_migrate.migration_event WHERE applied_by = 'regress_tm_migrator';
SELECT r.run_by FROM trovella_migrate.run r WHERE r.run_by = 'regress_tm_migrator';
-- Clean up.
DROP SCHEMA drizzle CASCADE;
DROP SCHEMA evil CASCADE;
REVOKE CREATE ON SCHEMA public FROM regress_tm_migrator;
REVOKE CREATE ON DATABASE :"db" FROM regress_tm_migrator;
REVOKE EXECUTE ON FUNCTION trovella_migrate.apply(json, jsonb, jsonb), trovella_migrate.status(json, jsonb, jsonb),
  trovella_migrate.verify(json, jsonb, jsonb) FROM regress_tm_migrator;
DROP ROLE regress_tm_migrator;
