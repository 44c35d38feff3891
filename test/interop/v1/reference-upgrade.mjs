// The version-0 -> version-1 upgrade of Drizzle's tracking table as doc/drizzle-v1.md specifies it,
// written without drizzle-orm (nothing of it is imported): the algorithm trovella_migrate must
// implement, expressed as one SQL query, so that probe.sh can compare its result with what
// drizzle-orm 1.x does to an identical table.
//   node reference-upgrade.mjs FOLDER DATABASE
// Connection: libpq's PG* variables, DATABASE as the name. MIGRATIONS_SCHEMA / MIGRATIONS_TABLE name
// the tracking table (default drizzle.__drizzle_migrations). Prints one "id name" line per row it
// names. Exits 1 with the refusal when a row matches no local migration (the table is left as it
// was), 0 after the upgrade (also when the table already has `name`: nothing to do).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

const [folder, database] = process.argv.slice(2);
if (!folder || !database) {
  console.error('usage: node reference-upgrade.mjs FOLDER DATABASE');
  process.exit(2);
}
const schema = process.env.MIGRATIONS_SCHEMA || 'drizzle';
const table = process.env.MIGRATIONS_TABLE || '__drizzle_migrations';
const ident = (s) => `"${s.replaceAll('"', '""')}"`;
const qualified = `${ident(schema)}.${ident(table)}`;

// The local migrations: every sub-folder with a migration.sql. created_at is the UTC time of the
// name's first 14 digits, in ms; the hash is SHA-256 of the text as drizzle-orm reads it (the bytes
// decoded as UTF-8, invalid sequences replaced by U+FFFD, encoded again).
const local = fs.readdirSync(folder)
  .filter((name) => fs.existsSync(path.join(folder, name, 'migration.sql')))
  .map((name) => {
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(name);
    if (!m) throw new Error(`${name}: the folder name does not start with 14 digits`);
    const text = fs.readFileSync(path.join(folder, name, 'migration.sql')).toString('utf8');
    return {
      name,
      millis: Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]),
      hash: crypto.createHash('sha256').update(text, 'utf8').digest('hex'),
    };
  })
  // Drizzle's order for the upgrade: created_at, then the name (localeCompare, as drizzle-orm does).
  .sort((a, b) => a.millis - b.millis || a.name.localeCompare(b.name));

// One query names every row: created_at truncated to the second (bigint division truncates toward
// zero, as drizzle-orm's string cut does); exactly one local migration in that second: it; several:
// the first of them (in the order above) with the row's hash; none: the last local migration (in
// that order) with the row's hash. NULL when nothing matches.
const MATCH = `
  WITH local AS (
    SELECT * FROM unnest($1::int[], $2::text[], $3::bigint[], $4::text[]) AS l(pos, name, millis, hash)
  ), r AS (
    SELECT id, hash, created_at / 1000 * 1000 AS sec FROM ${qualified}
  )
  SELECT r.id,
         CASE (SELECT count(*) FROM local l WHERE l.millis = r.sec)
           WHEN 0 THEN (SELECT l.name FROM local l WHERE l.hash = r.hash ORDER BY l.pos DESC LIMIT 1)
           WHEN 1 THEN (SELECT l.name FROM local l WHERE l.millis = r.sec)
           ELSE (SELECT l.name FROM local l WHERE l.millis = r.sec AND l.hash = r.hash ORDER BY l.pos LIMIT 1)
         END AS name
    FROM r
   ORDER BY r.id`;

const client = new pg.Client({ database });
await client.connect();
try {
  const columns = await client.query(
    `SELECT a.attname FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE a.attnum > 0 AND NOT a.attisdropped AND n.nspname = $1 AND c.relname = $2`, [schema, table]);
  if (columns.rows.length === 0) throw new Error(`no table ${qualified}`);
  if (columns.rows.some((r) => r.attname === 'name')) process.exit(0);  // version 1 already

  await client.query('BEGIN');
  const { rows } = await client.query(MATCH, [
    local.map((_, i) => i), local.map((l) => l.name), local.map((l) => l.millis), local.map((l) => l.hash)]);
  const unmatched = rows.filter((r) => r.name === null).map((r) => r.id);
  if (unmatched.length > 0) {
    await client.query('ROLLBACK');
    console.error(`refused: ${unmatched.length} tracking rows (ids: ${unmatched.join(', ')}) match no local migration`);
    process.exitCode = 1;
  } else {
    await client.query(`ALTER TABLE ${qualified} ADD COLUMN IF NOT EXISTS "name" text`);
    await client.query(`ALTER TABLE ${qualified} ADD COLUMN IF NOT EXISTS "applied_at" timestamp with time zone DEFAULT now()`);
    await client.query(
      `UPDATE ${qualified} t SET "name" = m.name, "applied_at" = NULL
         FROM unnest($1::int[], $2::text[]) AS m(id, name) WHERE t.id = m.id`,
      [rows.map((r) => r.id), rows.map((r) => r.name)]);
    await client.query('COMMIT');
    for (const r of rows) console.log(r.id, r.name);
  }
} finally {
  await client.end();
}
