// drizzle-kit 1.x configuration of the v1 interop fixtures (generate.sh, probe.sh). The schema
// generation, the migrations folder and the database come from the environment; the connection is
// libpq's PG* variables (PGHOST may be a socket directory). Tracking table: MIGRATIONS_SCHEMA /
// MIGRATIONS_TABLE, default drizzle.__drizzle_migrations.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: process.env.INTEROP_SCHEMA ?? './schema/gen3.ts',
  out: process.env.INTEROP_OUT ?? './fixtures/migrations',
  migrations: {
    schema: process.env.MIGRATIONS_SCHEMA ?? 'drizzle',
    table: process.env.MIGRATIONS_TABLE ?? '__drizzle_migrations',
  },
  dbCredentials: {
    host: process.env.PGHOST ?? 'localhost',
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER ?? 'postgres',
    database: process.env.INTEROP_DATABASE ?? process.env.PGDATABASE ?? 'postgres',
    // the throwaway server listens on a Unix socket only: no TLS
    ssl: false,
  },
});
