-- Splitting exactly as Drizzle: on the literal marker only; plan() shows what apply would send.
DROP SCHEMA IF EXISTS drizzle CASCADE;
\set j '{"entries":[{"idx":0,"version":"7","when":1000,"tag":"0000_split","breakpoints":true}]}'
-- Marker on the same line as the semicolon, and a trailing marker (an empty last piece, skipped).
SELECT statement, line, sql FROM trovella_migrate.plan(:'j',
  jsonb_build_object('0000_split', E'CREATE TABLE a (id int);--> statement-breakpoint\nCREATE TABLE b (id int);--> statement-breakpoint\n'));
-- Pieces that are only whitespace or comments are skipped; numbering counts statements sent.
SELECT statement, line, sql FROM trovella_migrate.plan(:'j',
  jsonb_build_object('0000_split', E'-- a header comment\n--> statement-breakpoint\n\n  \n--> statement-breakpoint\n/* block /* nested */ comment */\n--> statement-breakpoint\nSELECT 1;\n--> statement-breakpoint\n-- trailing\n'));
-- $$ bodies and quoted strings holding ; or the word breakpoint stay whole.
SELECT statement, line, sql FROM trovella_migrate.plan(:'j',
  jsonb_build_object('0000_split', E'DO $$\nBEGIN\n  RAISE NOTICE ''one; two; statement breakpoint'';\nEND\n$$;--> statement-breakpoint\nSELECT '';still one statement; breakpoint'' AS s;'));
-- The literal marker splits even inside a string, so this migration fails as it does under Drizzle
-- (drizzle-kit never writes that); the parser reports it before anything runs.
SELECT statement, line, sql FROM trovella_migrate.plan(:'j',
  jsonb_build_object('0000_split', E'SELECT ''x--> statement-breakpoint y'';'));
-- breakpoints: false is split regardless, as Drizzle does on PostgreSQL.
SELECT statement, line, sql FROM trovella_migrate.plan(
  '{"entries":[{"idx":0,"when":1000,"tag":"0000_split","breakpoints":false}]}',
  jsonb_build_object('0000_split', E'SELECT 1;\n--> statement-breakpoint\nSELECT 2;'));
-- Lines: the line of the first non-whitespace character, with CRLF line ends and a BOM.
SELECT statement, line, sql FROM trovella_migrate.plan(:'j',
  jsonb_build_object('0000_split', E'\uFEFFSELECT 1;\r\n--> statement-breakpoint\r\n\r\n\r\n  SELECT 2;\r\n--> statement-breakpoint\r\nSELECT\r\n3;'));
-- The BOM is not sent: apply runs a BOM-prefixed file that PostgreSQL would reject.
SET client_min_messages = warning;
SELECT applied, verified FROM trovella_migrate.apply(:'j', jsonb_build_object('0000_split', E'\uFEFFCREATE TABLE bom_t (id int);'));
SELECT to_regclass('bom_t') IS NOT NULL AS table_created;
-- For contrast, what PostgreSQL says to the BOM that Drizzle's migrator sends:
DO $$ BEGIN EXECUTE E'\uFEFFSELECT 1'; END $$;
DROP TABLE bom_t;
RESET client_min_messages;
-- A migration with no statement at all is recorded (as Drizzle records it).
DROP SCHEMA drizzle CASCADE;
SET client_min_messages = warning;
SELECT applied, verified, applied_tags FROM trovella_migrate.apply(:'j', jsonb_build_object('0000_split', E'-- nothing here\n'));
RESET client_min_messages;
SELECT count(*) FROM drizzle.__drizzle_migrations;
DROP SCHEMA drizzle CASCADE;
