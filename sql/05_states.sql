-- What is pending is decided by identity (created_at = when), not by a high-water mark.
DROP SCHEMA IF EXISTS drizzle CASCADE;
SET client_min_messages = warning;
CREATE TEMP TABLE j (doc json);
INSERT INTO j VALUES ('{"entries":[{"idx":0,"when":100,"tag":"0000_a"},{"idx":1,"when":200,"tag":"0001_b"},{"idx":2,"when":300,"tag":"0002_c"}]}');
\set m '{"0000_a":"CREATE TABLE s_a (id int);","0001_b":"CREATE TABLE s_b (id int);","0002_c":"CREATE TABLE s_c (id int);","0001_branch":"CREATE TABLE s_branch (id int);"}'
SELECT doc AS j FROM j \gset
-- Fresh database: everything pending.
SELECT idx, tag, state FROM trovella_migrate.status(:'j');
-- Apply the first two by giving a journal that has only them.
SELECT applied FROM trovella_migrate.apply('{"entries":[{"idx":0,"when":100,"tag":"0000_a"},{"idx":1,"when":200,"tag":"0001_b"}]}', :'m');
SELECT idx, tag, state FROM trovella_migrate.status(:'j', :'m');
-- A migration merged from another branch, older than the newest applied (Drizzle 0.x skips it
-- silently): out_of_order, and apply refuses naming it.
UPDATE j SET doc = '{"entries":[{"idx":0,"when":100,"tag":"0000_a"},{"idx":1,"when":150,"tag":"0001_branch"},{"idx":2,"when":200,"tag":"0001_b"},{"idx":3,"when":300,"tag":"0002_c"}]}';
SELECT doc AS j FROM j \gset
SELECT idx, tag, state FROM trovella_migrate.status(:'j', :'m');
SELECT * FROM trovella_migrate.apply(:'j', :'m');
SELECT to_regclass('s_c') IS NULL AS nothing_ran;
-- plan shows the same refusal; with allow_out_of_order both run, in journal order.
SELECT tag, statement FROM trovella_migrate.plan(:'j', :'m', '{"allow_out_of_order": true}');
SELECT applied, applied_tags, verified FROM trovella_migrate.apply(:'j', :'m', '{"allow_out_of_order": true}');
SELECT idx, tag, state FROM trovella_migrate.status(:'j', :'m');
-- An applied file edited afterwards: modified; apply refuses naming it.
SELECT tag, state FROM trovella_migrate.status(:'j', jsonb_set(:'m', '{0000_a}', '"CREATE TABLE s_a (id bigint);"')) WHERE state <> 'applied';
SELECT * FROM trovella_migrate.apply(:'j', jsonb_set(:'m', '{0000_a}', '"CREATE TABLE s_a (id bigint);"'));
-- allow_modified proceeds (and the modified entry is exempt from the after-apply hash check).
SELECT applied, verified FROM trovella_migrate.apply(:'j', jsonb_set(:'m', '{0000_a}', '"CREATE TABLE s_a (id bigint);"'), '{"allow_modified": true}');
-- verify compares hashes whenever the texts are given.
SELECT ok, problems FROM trovella_migrate.verify(:'j', jsonb_set(:'m', '{0000_a}', '"CREATE TABLE s_a (id bigint);"'), '{"raise": false}');
-- A tracking row that matches no entry: unknown; apply refuses (no option to proceed).
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('feedface', 250);
SELECT idx, tag, created_at, state, recorded_hash FROM trovella_migrate.status(:'j', :'m') WHERE state <> 'applied';
SELECT * FROM trovella_migrate.apply(:'j', :'m', '{"allow_out_of_order": true, "allow_modified": true}');
-- Several problems at once: one error naming every offending tag.
DELETE FROM drizzle.__drizzle_migrations WHERE created_at IN (150, 300);
SELECT * FROM trovella_migrate.apply(:'j', jsonb_set(:'m', '{0001_b}', '"-- edited"'));
-- Texts for tags the journal lacks are orphans: reported, never run.
SELECT tag, state FROM trovella_migrate.status(:'j', :'m'::jsonb || '{"9999_scratch":"DROP TABLE s_a;"}') WHERE state IN ('orphan', 'unknown');
DELETE FROM drizzle.__drizzle_migrations WHERE created_at = 250;
DROP TABLE s_branch, s_c;
SELECT applied_tags FROM trovella_migrate.apply(:'j', :'m'::jsonb || '{"9999_scratch":"DROP TABLE s_a;"}', '{"allow_out_of_order": true}');
SELECT to_regclass('s_a') IS NOT NULL AS orphan_never_ran;
DROP TABLE s_a, s_b, s_c, s_branch;
DROP SCHEMA drizzle CASCADE;
