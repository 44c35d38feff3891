-- The recorded hash is the lowercase hex SHA-256 of the exact text (BOM and CRLF kept), as
-- Drizzle computes it; checked against PostgreSQL's independent sha256().
DROP SCHEMA IF EXISTS drizzle CASCADE;
SET client_min_messages = warning;
\set j '{"entries":[{"idx":0,"when":1,"tag":"0000_plain"},{"idx":1,"when":2,"tag":"0001_bom_crlf"},{"idx":2,"when":3,"tag":"0002_utf8"}]}'
CREATE TEMP TABLE texts AS SELECT * FROM (VALUES
  ('0000_plain', E'CREATE TABLE h1 (id int);\n--> statement-breakpoint\nCREATE TABLE h2 (id int);\n'),
  ('0001_bom_crlf', E'\uFEFFCREATE TABLE h3 (id int);\r\n--> statement-breakpoint\r\nCREATE TABLE h4 (id int);'),
  ('0002_utf8', E'COMMENT ON TABLE h1 IS ''caf\u00e9 \u2014 \U0001F600'';')) AS t(tag, body);
SELECT applied, verified FROM trovella_migrate.apply(:'j', (SELECT jsonb_object_agg(tag, body) FROM texts));
SELECT t.tag, m.hash = encode(sha256(convert_to(t.body, 'UTF8')), 'hex') AS hash_matches_sha256,
       m.hash ~ '^[0-9a-f]{64}$' AS lowercase_hex
FROM texts t JOIN trovella_migrate.status(:'j') s ON s.tag = t.tag
JOIN drizzle.__drizzle_migrations m ON m.created_at = s.created_at ORDER BY s.idx;
-- status shows the file's hash and the recorded one side by side.
SELECT tag, hash = recorded_hash AS same FROM trovella_migrate.status(:'j', (SELECT jsonb_object_agg(tag, body) FROM texts));
-- One byte changes the hash: a CRLF file re-saved with LF reads as modified.
SELECT tag, state FROM trovella_migrate.status(:'j', (SELECT jsonb_object_agg(tag, replace(body, E'\r\n', E'\n')) FROM texts));
DROP TABLE h1, h2, h3, h4, texts;
DROP SCHEMA drizzle CASCADE;
