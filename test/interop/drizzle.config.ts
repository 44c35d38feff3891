// drizzle-kit configuration of the interop test (run.sh). The schema generation, the migrations
// folder and the database come from the environment; the connection is libpq's PG* variables
// (PGHOST may be a socket directory). The defaults regenerate the committed fixtures.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: process.env.INTEROP_SCHEMA ?? './schema/branch.ts',
  out: process.env.INTEROP_OUT ?? './fixtures/migrations',
  dbCredentials: {
    host: process.env.PGHOST ?? 'localhost',
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER ?? 'postgres',
    database: process.env.INTEROP_DATABASE ?? process.env.PGDATABASE ?? 'postgres',
    // the throwaway server listens on a Unix socket only: no TLS (drizzle-kit would ask for it)
    ssl: false,
  },
});
