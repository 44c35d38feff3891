-- Bad input never crashes the backend and always names what is wrong; the same connection then
-- still answers.
DROP SCHEMA IF EXISTS drizzle CASCADE;
SET client_min_messages = warning;
SELECT pg_backend_pid() AS pid_before \gset
\set j '{"entries":[{"idx":0,"when":1,"tag":"0000_a"}]}'
-- Not JSON (the json type refuses it first), wrong JSON types.
SELECT * FROM trovella_migrate.apply('not json', '{}');
SELECT * FROM trovella_migrate.apply('"a string"', '{}');
SELECT * FROM trovella_migrate.apply('{"entries":"nope"}', '{}');
SELECT * FROM trovella_migrate.apply(:'j', '[]');
SELECT * FROM trovella_migrate.apply(:'j', '"text"');
SELECT * FROM trovella_migrate.apply(:'j', '{"0000_a": 42}');
SELECT * FROM trovella_migrate.apply(:'j', '{"0000_a": null}');
SELECT * FROM trovella_migrate.apply(:'j', '{"0000_a": {"sql": "SELECT 1"}}');
-- NULL arguments (a NULL journal alone is a Drizzle 1.x folder: 15_drizzle_v1).
SELECT * FROM trovella_migrate.apply(NULL, NULL);
SELECT * FROM trovella_migrate.apply(:'j', NULL);
SELECT applied, verified FROM trovella_migrate.apply('{"entries":[]}', '{}', NULL);
SELECT * FROM trovella_migrate.status(NULL);
SELECT * FROM trovella_migrate.verify(NULL);
SELECT * FROM trovella_migrate.plan(:'j', NULL);
-- An empty journal, a journal entry without its text (every missing tag named).
SELECT expected, applied, verified FROM trovella_migrate.apply('{"entries":[]}', '{}');
SELECT * FROM trovella_migrate.apply('{"entries":[{"idx":0,"when":1,"tag":"0000_a"},{"idx":1,"when":2,"tag":"0001_b"},{"idx":2,"when":3,"tag":"0002_c"}]}', '{"0001_b":"SELECT 1;"}');
-- A huge tag, in the journal and as a migrations key.
SELECT * FROM trovella_migrate.apply(json_build_object('entries', json_build_array(json_build_object('idx', 0, 'when', 1, 'tag', repeat('x', 1000000)))), '{}');
SELECT tag IS NOT NULL, state FROM trovella_migrate.status(:'j', jsonb_build_object(repeat('y', 100000), 'SELECT 1;'));
-- A huge statement text is fine.
SELECT length(sql) FROM trovella_migrate.plan(:'j', jsonb_build_object('0000_a', 'SELECT ' || repeat('1+', 500000) || '1;'));
-- Unknown option keys and wrong option types, per function.
SELECT * FROM trovella_migrate.apply(:'j', '{}', '{"alow_modified": true}');
SELECT * FROM trovella_migrate.apply(:'j', '{}', '{"raise": false}');
SELECT * FROM trovella_migrate.status(:'j', NULL, '{"allow_modified": true}');
SELECT * FROM trovella_migrate.plan(:'j', '{}', '{"lock_timeout": "1s"}');
SELECT * FROM trovella_migrate.apply(:'j', '{}', '{"allow_modified": "yes"}');
SELECT * FROM trovella_migrate.apply(:'j', '{}', '{"migrations_schema": ""}');
SELECT * FROM trovella_migrate.apply(:'j', '{}', json_build_object('migrations_table', repeat('t', 64))::jsonb);
SELECT * FROM trovella_migrate.apply(:'j', '{}', '[1]');
SELECT * FROM trovella_migrate.apply(:'j', '{"0000_a":"SELECT 1;"}', '{"lock_timeout": "soon"}');
SELECT * FROM trovella_migrate.apply(:'j', '{"0000_a":"SELECT 1;"}', '{"lock_timeout": true}');
-- Hostile tags and texts are data, never SQL of the extension's own.
SELECT tag, state FROM trovella_migrate.status('{"entries":[{"idx":0,"when":1,"tag":"0000_x''; DROP TABLE pg_class; --"}]}');
-- The same connection still answers, and nothing was left half-written.
SELECT pg_backend_pid() = :pid_before AS same_backend, 1 + 1 AS still_answers;
SELECT count(*) FROM drizzle.__drizzle_migrations;
DROP SCHEMA drizzle CASCADE;
