// Applies a migrations folder with drizzle-orm's own migrator (node-postgres driver), as an
// application calling migrate() at start-up does.
//   node drizzle-migrate.mjs FOLDER DATABASE
// Connection: libpq's PG* variables (PGHOST may be a socket directory), DATABASE as the name.
// MIGRATIONS_SCHEMA / MIGRATIONS_TABLE, when set, name the tracking table (drizzle.config's
// migrations.schema / migrations.table); the default is drizzle.__drizzle_migrations.
// Exits 0 when migrate() resolved, 1 with the error on stderr when it threw.
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';

const [folder, database] = process.argv.slice(2);
if (!folder || !database) {
  console.error('usage: node drizzle-migrate.mjs FOLDER DATABASE');
  process.exit(2);
}
const pool = new pg.Pool({ database, max: 1 });
try {
  await migrate(drizzle(pool), {
    migrationsFolder: folder,
    migrationsSchema: process.env.MIGRATIONS_SCHEMA || undefined,
    migrationsTable: process.env.MIGRATIONS_TABLE || undefined,
  });
} catch (err) {
  console.error(`drizzle migrate failed: ${err.message}${err.cause ? ` (${err.cause.message})` : ''}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
