// Writes a drizzle-kit-shaped migrations folder (meta/_journal.json and <tag>.sql files) for the
// end-to-end benchmarks (bench/run), and the same statements as one plain SQL file for psql.
//   node bench/make_workload.mjs KIND DIR MIGRATIONS [STATEMENTS]
// KIND: ddl     CREATE TABLE, then ALTER TABLE ... ADD COLUMN, CREATE INDEX, COMMENT, CREATE TYPE
//       insert  single-row INSERTs into public.bench_rows (the template database has the table)
//       table   one CREATE TABLE per migration
//       comment one COMMENT ON SCHEMA per migration (creates nothing: the no-op and status cases)
// DIR.sql (beside the folder, not in it): every statement in journal order, one round trip each
// under psql -f.
import fs from 'node:fs';

const [kind, dir, nText, kText] = process.argv.slice(2);
const n = Number(nText);
const k = Number(kText || 1);
const q = "'";
function statementsOf(i) {
  switch (kind) {
    case 'ddl': {
      const st = [`CREATE TABLE "d${i}" (\n\t"id" integer PRIMARY KEY NOT NULL,\n\t"name" varchar(200)\n);`];
      for (let s = 1; s < k; s++) {
        if (s === k - 3) st.push(`CREATE INDEX "d${i}_c1_idx" ON "d${i}" USING btree ("c1");`);
        else if (s === k - 2) st.push(`COMMENT ON TABLE "d${i}" IS ${q}table ${i}${q};`);
        else if (s === k - 1) st.push(`CREATE TYPE "public"."e${i}" AS ENUM(${q}a${q}, ${q}b${q});`);
        else st.push(`ALTER TABLE "d${i}" ADD COLUMN "c${s}" integer DEFAULT ${s};`);
      }
      return st;
    }
    case 'insert': {
      const st = [];
      for (let s = 0; s < k; s++)
        st.push(`INSERT INTO "bench_rows" ("m", "s", "v") VALUES (${i}, ${s}, ${q}row ${i}.${s}${q});`);
      return st;
    }
    case 'table':
      return [`CREATE TABLE "m${i}" (\n\t"id" integer PRIMARY KEY NOT NULL\n);`];
    case 'comment':
      return [`COMMENT ON SCHEMA "public" IS ${q}version ${i}${q};`];
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}
fs.mkdirSync(`${dir}/meta`, { recursive: true });
const entries = [];
let plain = '';
for (let i = 0; i < n; i++) {
  const tag = `${String(i).padStart(5, '0')}_${kind}`;
  entries.push({ idx: i, version: '7', when: 1700000000000 + i, tag, breakpoints: true });
  const st = statementsOf(i);
  fs.writeFileSync(`${dir}/${tag}.sql`, st.join('\n--> statement-breakpoint\n'));
  plain += st.join('\n') + '\n';
}
fs.writeFileSync(`${dir}/meta/_journal.json`, JSON.stringify({ version: '7', dialect: 'postgresql', entries }, null, 2));
fs.writeFileSync(`${dir}.sql`, plain);
