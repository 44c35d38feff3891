// Applies a Drizzle 1.x migrations folder (<YYYYMMDDHHMMSS>_<name>/migration.sql) with drizzle-orm
// 1.x's own migrator (node-postgres driver), as an application calling migrate() at start-up does.
//   node drizzle-migrate.mjs FOLDER [DATABASE]
// Connection: with DATABASE, libpq's PG* variables (PGHOST may be a socket directory) and DATABASE
// as the name; without it, DATABASE_URL (else the PG* variables alone).
// MIGRATIONS_SCHEMA / MIGRATIONS_TABLE, when set, name the tracking table (drizzle.config's
// migrations.schema / migrations.table); the default is drizzle.__drizzle_migrations.
// DRIZZLE_LOG=1 prints every query drizzle-orm sends, with its parameters, on stderr.
// Exits 0 when migrate() resolved, 1 with the error on stderr when it threw.
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';

const [folder, database] = process.argv.slice(2);
if (!folder) {
  console.error('usage: node drizzle-migrate.mjs FOLDER [DATABASE]');
  process.exit(2);
}
const connection = database ? { database } : process.env.DATABASE_URL ? { connectionString: process.env.DATABASE_URL } : {};
const pool = new pg.Pool({ ...connection, max: 1 });
const logger = process.env.DRIZZLE_LOG
  ? { logQuery: (query, params) => console.error(`query: ${query.replace(/\s+/g, ' ').trim()}${params.length ? ` -- params: ${JSON.stringify(params)}` : ''}`) }
  : false;
// drizzle-orm 1.x: drizzle(pool) would open a pool of its own; the client goes in { client }.
const db = drizzle({ client: pool, logger });
try {
  const result = await migrate(db, {
    migrationsFolder: folder,
    migrationsSchema: process.env.MIGRATIONS_SCHEMA || undefined,
    migrationsTable: process.env.MIGRATIONS_TABLE || undefined,
  });
  if (result) console.log(JSON.stringify(result));
} catch (err) {
  const cause = err.cause ? ` (${err.cause.message})` : '';
  console.error(`drizzle migrate failed: ${err.message}${cause}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
