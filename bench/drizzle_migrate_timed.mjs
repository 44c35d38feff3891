// drizzle-orm's own migrator (node-postgres driver, the versions pinned by test/interop's
// package-lock.json), timed from the pool's creation to its end: connection, migrate() and
// disconnection, without Node's start-up and module loading (which an application pays once).
//   node bench/drizzle_migrate_timed.mjs FOLDER DATABASE    (connection: libpq's PG* variables)
// Prints "ms N" on stdout; exits 1 with the error on stderr when migrate() threw.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'test', 'interop', 'package.json'));
const pg = require('pg');
const { drizzle } = require('drizzle-orm/node-postgres');
const { migrate } = require('drizzle-orm/node-postgres/migrator');

const [folder, database] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
const pool = new pg.Pool({ database, max: 1 });
try {
  await migrate(drizzle(pool), { migrationsFolder: folder });
  await pool.end();
  console.log(`ms ${Number(process.hrtime.bigint() - t0) / 1e6}`);
} catch (err) {
  console.error(`drizzle migrate failed: ${err.message}`);
  process.exitCode = 1;
  await pool.end();
}
