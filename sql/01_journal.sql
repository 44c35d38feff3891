-- The journal as drizzle-kit writes it: accepted variants, hard errors naming the entry, warnings.
DROP SCHEMA IF EXISTS drizzle CASCADE;
-- Legacy header (version 5, dialect pg) with mixed entry versions and several tag styles.
SELECT idx, tag, created_at, state FROM trovella_migrate.status('{"version":"5","dialect":"pg","entries":[
  {"idx":0,"version":"5","when":1700000000000,"tag":"0000_init","breakpoints":true},
  {"idx":1,"version":"6","when":1700000000001,"tag":"20240101120000_add_users","breakpoints":true},
  {"idx":2,"version":"7","when":1700000000002,"tag":"custom-hand_written","breakpoints":false}]}');
-- Current header; missing version and dialect are accepted (Drizzle never reads them).
SELECT count(*) FROM trovella_migrate.status('{"version":"7","dialect":"postgresql","entries":[{"idx":0,"version":"7","when":1,"tag":"0000_a","breakpoints":true}]}');
SELECT count(*) FROM trovella_migrate.status('{"entries":[{"idx":0,"when":1,"tag":"0000_a"}]}');
-- Array order is the order of application, never sorted.
SELECT idx, tag FROM trovella_migrate.status('{"entries":[{"idx":0,"when":5,"tag":"b"},{"idx":1,"when":3,"tag":"a"}]}');
-- Hard errors, each naming the entry.
SELECT * FROM trovella_migrate.status('[1,2]');
SELECT * FROM trovella_migrate.status('{"version":"7"}');
SELECT * FROM trovella_migrate.status('{"entries":{}}');
SELECT * FROM trovella_migrate.status('{"entries":[7]}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":0,"when":1}]}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":0,"when":1,"tag":""}]}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":0,"when":1,"tag":42}]}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":0,"tag":"0000_a"}]}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":0,"when":-5,"tag":"0000_a"}]}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":0,"when":1.5,"tag":"0000_a"}]}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":0,"when":"1700000000000","tag":"0000_a"}]}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":0,"when":99999999999999999999,"tag":"0000_a"}]}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":0,"when":1,"tag":"0000_a"},{"idx":1,"when":2,"tag":"0000_a"}]}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":0,"when":1,"tag":"0000_a"},{"idx":1,"when":1,"tag":"0001_b"}]}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":0,"when":1,"tag":"../etc/passwd"}]}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":0,"when":1,"tag":"sub/0000_a"}]}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":0,"when":1,"tag":"sub\\0000_a"}]}');
SELECT * FROM trovella_migrate.status('{"entries":[{"idx":0,"when":1,"tag":"a..b"}]}');
SELECT * FROM trovella_migrate.status('{"dialect":"mysql","entries":[]}');
SELECT * FROM trovella_migrate.status('{"dialect":"sqlite","entries":[]}');
-- Warnings, not errors: idx gaps and mismatches, `when` going backwards (real journals have them).
SELECT idx, tag, state FROM trovella_migrate.status('{"entries":[
  {"idx":0,"when":10,"tag":"0000_a"},{"idx":2,"when":20,"tag":"0002_c"},{"idx":3,"when":15,"tag":"0003_d"},{"when":30,"tag":"0004_e"}]}');
SELECT count(*) FROM trovella_migrate.status('{"version":"4","entries":[]}');
-- A journal stored in a table reads as the same text does: compressed, out of line uncompressed,
-- and out of line compressed (the value is read where it lies once detoasted). An error in such
-- a journal is reported as in a literal one.
CREATE TEMP TABLE stored_journal (how text, j json);
ALTER TABLE stored_journal ALTER COLUMN j SET STORAGE EXTERNAL;
INSERT INTO stored_journal SELECT 'external', json_build_object('version', '7', 'dialect', 'postgresql', 'entries',
  json_agg(json_build_object('idx', i, 'version', '7', 'when', 1700000000000 + i, 'tag', lpad(i::text, 4, '0') || '_stored', 'breakpoints', true) ORDER BY i))
  FROM generate_series(0, 299) i;
ALTER TABLE stored_journal ALTER COLUMN j SET STORAGE EXTENDED;
INSERT INTO stored_journal SELECT 'extended', j::text::json FROM stored_journal;
INSERT INTO stored_journal SELECT 'inline compressed', json_build_object('entries',
  json_agg(json_build_object('idx', i, 'when', i + 1, 'tag', lpad(i::text, 4, '0') || '_stored') ORDER BY i))
  FROM generate_series(0, 99) i;
SELECT how, pg_column_size(j) < octet_length(j::text) AS compressed, octet_length(j::text) > 2000 AS large
FROM stored_journal ORDER BY how;
SELECT how, count(*) AS entries, min(tag) AS first, max(tag) AS last, count(*) FILTER (WHERE state = 'pending') AS pending
FROM stored_journal, trovella_migrate.status(j) GROUP BY how ORDER BY how;
SELECT count(*) FROM stored_journal, trovella_migrate.status(j) s1
  JOIN trovella_migrate.status((SELECT j::text::json FROM stored_journal WHERE how = 'external')) s2 USING (idx, tag, created_at, state)
WHERE how = 'external';
UPDATE stored_journal SET j = replace(j::text, '"0150_stored"', '"0149_stored"')::json WHERE how = 'extended';
SELECT * FROM stored_journal, trovella_migrate.status(j) WHERE how = 'extended';
DROP TABLE stored_journal;
