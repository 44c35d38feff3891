-- Drizzle 1.x (doc/drizzle-v1.md): a folder per migration and no journal (journal NULL, migrations
-- keyed by folder name), the version-1 tracking table (name, applied_at), pending by name, the
-- upgrade of a version-0 table as drizzle-orm 1.x makes it, and never a row without a name there.
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS drizzle CASCADE;
\set m '{"20260101000000_a":"CREATE TABLE v1_a (id int);","20260101000001_b":"CREATE TABLE v1_b (id int);\\n--> statement-breakpoint\\nCOMMENT ON TABLE v1_b IS ''b'';","20260101000002_c":"CREATE TABLE v1_c (id int);"}'
\set rows 'SELECT id, created_at, name, applied_at IS NOT NULL AS applied_at_set, left(hash, 12) AS hash FROM drizzle.__drizzle_migrations ORDER BY id' 
-- 1. A fresh database: drizzle-orm 1.x's table, one row per folder (hash, created_at = the folder's
-- UTC time in ms, name = the folder name, applied_at = now()).
SELECT applied, applied_tags, verified FROM trovella_migrate.apply(NULL, :'m'::jsonb - '20260101000002_c');
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = 'drizzle.__drizzle_migrations'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum;
:rows;
SELECT hash = encode(sha256(convert_to(:'m'::jsonb ->> '20260101000001_b', 'UTF8')), 'hex') AS hash_is_sha256
FROM drizzle.__drizzle_migrations WHERE name = '20260101000001_b';
SELECT idx, tag, created_at, state FROM trovella_migrate.status(NULL, :'m');
-- status and verify take the names alone (a JSON array), as they take a journal alone.
SELECT idx, tag, state, hash IS NULL AS no_hash FROM trovella_migrate.status(NULL, '["20260101000001_b", "20260101000000_a"]');
SELECT expected, actual, ok FROM trovella_migrate.verify(NULL, '["20260101000000_a", "20260101000001_b"]');
SELECT * FROM trovella_migrate.verify(NULL, :'m');
SELECT applied, applied_tags, verified FROM trovella_migrate.apply(NULL, :'m');
:rows;
SELECT applied, message FROM trovella_migrate.apply(NULL, :'m');
-- 2. Pending by name: a row with only a name counts (drizzle-orm 1.x reads nothing else); one whose
-- name no folder has is unknown; a folder older than the last applied one is out of order.
UPDATE drizzle.__drizzle_migrations SET created_at = NULL, hash = 'x' WHERE name = '20260101000000_a';
SELECT tag, state, recorded_hash FROM trovella_migrate.status(NULL, :'m') ORDER BY idx;
UPDATE drizzle.__drizzle_migrations SET hash = encode(sha256(convert_to(:'m'::jsonb ->> '20260101000000_a', 'UTF8')), 'hex')
WHERE name = '20260101000000_a';
SELECT tag, state FROM trovella_migrate.status(NULL, :'m' ::jsonb || '{"20251231235959_early":"CREATE TABLE v1_early (id int);"}') ORDER BY idx;
SELECT * FROM trovella_migrate.apply(NULL, :'m'::jsonb || '{"20251231235959_early":"CREATE TABLE v1_early (id int);"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT applied, applied_tags FROM trovella_migrate.apply(NULL, :'m'::jsonb || '{"20251231235959_early":"CREATE TABLE v1_early (id int);"}',
  '{"allow_out_of_order": true}');
INSERT INTO drizzle.__drizzle_migrations (hash, created_at, name) VALUES ('zzz', 1, '20990101000000_from_another_branch');
SELECT * FROM trovella_migrate.apply(NULL, :'m'::jsonb || '{"20251231235959_early":"CREATE TABLE v1_early (id int);"}');
SELECT problems FROM trovella_migrate.verify(NULL, :'m'::jsonb || '{"20251231235959_early":"CREATE TABLE v1_early (id int);"}', '{"raise": false}');
DELETE FROM drizzle.__drizzle_migrations WHERE name = '20990101000000_from_another_branch';
-- 3. Modified by hash, and repair finds the row by name.
SELECT * FROM trovella_migrate.apply(NULL, jsonb_set(:'m', '{20260101000002_c}', '"CREATE TABLE v1_c (id bigint);"')
  || '{"20251231235959_early":"CREATE TABLE v1_early (id int);"}');
SELECT tag, previous_hash <> hash AS changed FROM trovella_migrate.repair(NULL,
  jsonb_set(:'m', '{20260101000002_c}', '"CREATE TABLE v1_c (id bigint);"') || '{"20251231235959_early":"CREATE TABLE v1_early (id int);"}',
  '20260101000002_c');
-- 4. A row without a name in a version-1 table (drizzle-orm 0.x writes such rows): drizzle-orm 1.x
-- would run its migration again. verify says so; the next apply names it.
DELETE FROM drizzle.__drizzle_migrations;
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES
  (encode(sha256(convert_to(:'m'::jsonb ->> '20260101000000_a', 'UTF8')), 'hex'), 1767225600000);
SELECT problems FROM trovella_migrate.verify(NULL, '["20260101000000_a"]', '{"raise": false}');
SELECT * FROM trovella_migrate.verify(NULL, :'m'::jsonb - '20260101000001_b' - '20260101000002_c');
SELECT applied, applied_tags FROM trovella_migrate.apply(NULL, :'m'::jsonb - '20260101000001_b' - '20260101000002_c');
SELECT id, name, applied_at IS NOT NULL AS applied_at_set FROM drizzle.__drizzle_migrations ORDER BY id;
DROP TABLE v1_a, v1_b, v1_c, v1_early;
DROP SCHEMA drizzle CASCADE;

-- 5. The upgrade of a version-0 table. A 0.x history (its when in ms), then the folder drizzle-kit up
-- makes of it: every row gets its folder's name by its second, applied_at NULL, as drizzle-orm 1.x
-- does; ids, hashes and created_at stay.
\set j0 '{"entries":[{"idx":0,"when":1796180626914,"tag":"0000_init"},{"idx":1,"when":1796180628621,"tag":"0001_comments"}]}'
\set m0 '{"0000_init":"CREATE TABLE v1_init (id int);","0001_comments":"CREATE TABLE v1_comments (id int);"}'
\set up '{"20261202030346_init":"CREATE TABLE v1_init (id int);","20261202030348_comments":"CREATE TABLE v1_comments (id int);","20261202030350_more":"CREATE TABLE v1_more (id int);"}'
SELECT applied, verified FROM trovella_migrate.apply(:'j0', :'m0');
SELECT id, created_at FROM drizzle.__drizzle_migrations ORDER BY id;
-- Read-only functions say the table is still version 0, show the names it will get, change nothing.
SET client_min_messages = notice;
SELECT tag, state FROM trovella_migrate.status(NULL, :'up') ORDER BY idx;
SET client_min_messages = warning;
SELECT count(*) AS columns_still FROM pg_attribute WHERE attrelid = 'drizzle.__drizzle_migrations'::regclass AND attnum > 0;
SELECT tag, statement FROM trovella_migrate.plan(NULL, :'up');
SET client_min_messages = notice;
SELECT applied, verified FROM trovella_migrate.apply(NULL, :'up'::jsonb - '20261202030350_more');
SET client_min_messages = warning;
:rows;
SELECT applied, applied_tags, verified FROM trovella_migrate.apply(NULL, :'up');
:rows;
-- The history keeps the tag each row was applied under.
SELECT tag, action FROM trovella_migrate.history WHERE created_at > 1796000000000 ORDER BY id;
DROP TABLE v1_init, v1_comments, v1_more;
DROP SCHEMA drizzle CASCADE;
-- 6. The refusal: rows that match no folder (none in its second, none with its hash; a NULL
-- created_at and no hash), before any change: the table stays version 0.
CREATE SCHEMA drizzle;
CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES
  (encode(sha256(convert_to(:'up'::jsonb ->> '20261202030346_init', 'UTF8')), 'hex'), 1796180626914),
  ('deadbeef', 1700000000000), ('cafe', NULL);
SELECT * FROM trovella_migrate.apply(NULL, :'up');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM trovella_migrate.plan(NULL, :'up');
SELECT count(*) AS columns_still FROM pg_attribute WHERE attrelid = 'drizzle.__drizzle_migrations'::regclass AND attnum > 0;
SELECT to_regclass('v1_init') IS NULL AS nothing_ran;
-- baseline upgrades too (when every row matches), and records named rows.
DELETE FROM drizzle.__drizzle_migrations WHERE id > 1;
SELECT tag, created_at FROM trovella_migrate.baseline(NULL, :'up', '20261202030348_comments');
SELECT id, created_at, name, applied_at IS NOT NULL AS applied_at_set FROM drizzle.__drizzle_migrations ORDER BY id;
DROP SCHEMA drizzle CASCADE;
-- 7. drizzle-kit 0.x's journal applied to a version-1 table: each row gets the name drizzle-kit up
-- will give its entry, so that drizzle-orm 1.x finds it applied after the conversion.
CREATE SCHEMA drizzle;
CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint, name text,
  applied_at timestamptz DEFAULT now());
SELECT applied, verified FROM trovella_migrate.apply(:'j0', :'m0');
SELECT id, created_at, name, applied_at IS NOT NULL AS applied_at_set FROM drizzle.__drizzle_migrations ORDER BY id;
DROP TABLE v1_init, v1_comments;
-- A table with name but no applied_at is version 1 too (drizzle-orm's rule: the name column).
DROP SCHEMA drizzle CASCADE;
CREATE SCHEMA drizzle;
CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint, name text);
SELECT applied, verified FROM trovella_migrate.apply(NULL, :'up');
SELECT id, created_at, name FROM drizzle.__drizzle_migrations ORDER BY id;
DROP TABLE v1_init, v1_comments, v1_more;
DROP SCHEMA drizzle CASCADE;

-- 8. Bad input, each naming what is wrong (SQLSTATE 22023).
SELECT * FROM trovella_migrate.apply(NULL, NULL);
SELECT * FROM trovella_migrate.status(NULL);
SELECT * FROM trovella_migrate.apply(NULL, '{"custom":"SELECT 1;"}');
SELECT * FROM trovella_migrate.apply(NULL, '{"20261301000000_x":"SELECT 1;"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM trovella_migrate.apply(NULL, '["20260101000000_a"]');
SELECT * FROM trovella_migrate.status(NULL, '["20260101000000_a", 7]');
SELECT * FROM trovella_migrate.status(NULL, '["20260101000000_a", "20260101000000_a"]');
-- Folders sharing a second: a warning, and byte order.
SELECT tag FROM trovella_migrate.status(NULL, '["20260101000000_b", "20260101000000_B", "20260101000000__x"]') ORDER BY idx;
SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL AS no_tracking_table;
