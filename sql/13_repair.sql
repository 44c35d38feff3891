-- repair(): an applied migration whose file was edited on purpose. apply and verify refuse it
-- (modified); repair records the new hash without running anything; the old hash stays in the
-- history with who and when; then apply and verify pass.
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS drizzle CASCADE;
SELECT coalesce(max(event_id), 0) AS first_event FROM trovella_migrate.migration_event \gset
\set j2 '{"entries":[{"idx":0,"when":1700000000000,"tag":"0000_a"},{"idx":1,"when":1700000000001,"tag":"0001_b"}]}'
\set j3 '{"entries":[{"idx":0,"when":1700000000000,"tag":"0000_a"},{"idx":1,"when":1700000000001,"tag":"0001_b"},{"idx":2,"when":1700000000002,"tag":"0002_c"}]}'
SELECT jsonb_build_object('0000_a', 'CREATE TABLE rp_a (id int);',
                          '0001_b', 'CREATE TABLE rp_b (id int);') AS m \gset
-- The edit: a comment and a new statement (which repair must not run).
SELECT jsonb_set(:'m', '{0001_b}', to_jsonb(E'-- reviewed\nCREATE TABLE rp_b (id int);\n--> statement-breakpoint\nCREATE TABLE rp_b2 (id int);'::text)) AS m_edited \gset
SELECT :'m_edited'::jsonb || '{"0002_c": "CREATE TABLE rp_c (id int);"}' AS m3 \gset
SELECT encode(sha256(convert_to(:'m'::jsonb ->> '0001_b', 'UTF8')), 'hex') AS old_hash,
       encode(sha256(convert_to(:'m_edited'::jsonb ->> '0001_b', 'UTF8')), 'hex') AS new_hash \gset
SELECT applied, applied_tags FROM trovella_migrate.apply(:'j2', :'m');
SELECT id AS b_id FROM drizzle.__drizzle_migrations WHERE created_at = 1700000000001 \gset
-- apply and verify refuse the edited file.
SELECT * FROM trovella_migrate.apply(:'j2', :'m_edited');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM trovella_migrate.verify(:'j2', :'m_edited');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT tag, state, hash = :'new_hash' AS file_hash_is_new, recorded_hash = :'old_hash' AS recorded_hash_is_old
FROM trovella_migrate.status(:'j2', :'m_edited');
-- repair records the new hash (and says so); nothing of the file is run.
SET client_min_messages = notice;
SELECT idx, tag, created_at, previous_hash = :'old_hash' AS previous_is_old, hash = :'new_hash' AS hash_is_new
FROM trovella_migrate.repair(:'j2', :'m_edited', '0001_b');
SET client_min_messages = warning;
SELECT to_regclass('rp_b2') IS NULL AS rp_b2_not_created;
SELECT id = :b_id AS same_row, created_at, hash = :'new_hash' AS hash_is_new
FROM drizzle.__drizzle_migrations WHERE created_at = 1700000000001;
-- The old hash stays in the history: the 'applied' event keeps it, the 'repaired' event names both.
SELECT r.function, e.action, e.tag, e.idx, e.created_at, e.tracking_id = :b_id AS same_row,
       e.hash = :'new_hash' AS hash_is_new, e.hash = :'old_hash' AS hash_is_old,
       e.previous_hash = :'old_hash' AS previous_is_old, e.applied_by = current_user AS applied_by_me,
       e.applied_at IS NOT NULL AS has_applied_at
FROM trovella_migrate.migration_event e JOIN trovella_migrate.run r USING (run_id)
WHERE e.event_id > :first_event AND e.tracking_id = :b_id ORDER BY e.event_id;
SELECT (SELECT applied_at FROM trovella_migrate.migration_event WHERE event_id > :first_event AND action = 'repaired' AND tracking_id = :b_id)
     > (SELECT applied_at FROM trovella_migrate.migration_event WHERE event_id > :first_event AND action = 'applied' AND tracking_id = :b_id)
  AS repaired_after_applied;
SELECT tag, action FROM trovella_migrate.history WHERE tracking_table = 'drizzle.__drizzle_migrations' ORDER BY id;
-- status() shows for each row its latest event: 0001_b has two (applied, then repaired), whose
-- time it shows; 0000_a has one.
SELECT s.tag, s.state, s.applied_at = (SELECT e.applied_at FROM trovella_migrate.migration_event e
                                       WHERE e.event_id > :first_event AND e.tracking_id = s_row.id
                                       ORDER BY e.event_id DESC LIMIT 1) AS shows_latest_event
FROM trovella_migrate.status(:'j2', :'m_edited') s
JOIN drizzle.__drizzle_migrations s_row ON s_row.created_at = s.created_at ORDER BY s.idx;
-- A time read back exactly whatever it is: before 2000 (a negative TimestampTz inside), at a
-- microsecond, far ahead, at infinity (a history restored from elsewhere, or edited by hand).
BEGIN;
CREATE FUNCTION pg_temp.status_shows(at timestamptz, first_event bigint, row_id bigint, j json, m jsonb)
RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
  UPDATE trovella_migrate.migration_event SET applied_at = at WHERE event_id > first_event AND tracking_id = row_id;
  RETURN (SELECT s.applied_at FROM trovella_migrate.status(j, m) s WHERE s.tag = '0001_b');
END $$;
SELECT t.at, pg_temp.status_shows(t.at, :first_event, :b_id, :'j2', :'m_edited') = t.at AS read_back
FROM (VALUES ('1999-12-31 23:59:59.999999+00'::timestamptz), ('2000-01-01 00:00:00.000001+00'),
             ('4000-06-30 12:00:00.5+00'), ('infinity'), ('-infinity')) t(at)
ORDER BY t.at;
ROLLBACK;
-- Now apply and verify pass with the edited file.
SELECT applied, verified, message FROM trovella_migrate.apply(:'j2', :'m_edited');
SELECT ok, problems FROM trovella_migrate.verify(:'j2', :'m_edited');
-- Error cases.
-- A pending migration:
SELECT * FROM trovella_migrate.repair(:'j3', :'m3', '0002_c');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- An applied migration whose file was not edited (and 0001_b again, now that it is repaired):
SELECT * FROM trovella_migrate.repair(:'j3', :'m3', '0000_a');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM trovella_migrate.repair(:'j3', :'m3', '0001_b');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- A tag not in the journal:
SELECT * FROM trovella_migrate.repair(:'j3', :'m3', '0009_nope');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- None of them recorded anything: the one repair above is all.
SELECT count(*) AS repaired_events FROM trovella_migrate.migration_event WHERE event_id > :first_event AND action = 'repaired';
-- repair in a transaction that rolls back leaves the recorded hash as it was.
BEGIN;
SELECT tag FROM trovella_migrate.repair(:'j2', :'m', '0001_b');
ROLLBACK;
SELECT hash = :'new_hash' AS hash_still_new FROM drizzle.__drizzle_migrations WHERE id = :b_id;
DROP TABLE rp_a, rp_b;
DROP SCHEMA drizzle CASCADE;
