# shellcheck shell=bash
# Sourced by bench/run and bench/cost_of.sh: the reference runs both time apply() against.

# The floor: the same statements (pieces between breakpoints, whitespace-only ones skipped) from
# the same files, EXECUTEd in journal order by one PL/pgSQL loop; no lock, no checks, no records.
floor_sql() {
  cat <<SQL
DO \$floor\$
DECLARE
  file text;
  piece text;
BEGIN
  FOR file IN SELECT convert_from(pg_read_binary_file('$1/' || (e ->> 'tag') || '.sql'), 'UTF8')
              FROM json_array_elements(convert_from(pg_read_binary_file('$1/meta/_journal.json'), 'UTF8')::json -> 'entries')
                   WITH ORDINALITY AS x(e, n) ORDER BY n LOOP
    FOREACH piece IN ARRAY string_to_array(file, '--> statement-breakpoint') LOOP
      IF btrim(piece, E' \t\r\n') <> '' THEN EXECUTE piece; END IF;
    END LOOP;
  END LOOP;
END
\$floor\$;
SQL
}

# The floor with Drizzle's own records, the least any runner that keeps Drizzle's tracking table
# does: its schema and table created as migrate() creates them, and after each migration's
# statements its row (the SHA-256 of the file, the entry's `when`), all in the same one call.
floor_records_sql() {
  cat <<SQL
DO \$floor\$
DECLARE
  entry json;
  file text;
  piece text;
BEGIN
  CREATE SCHEMA IF NOT EXISTS drizzle;
  CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
  FOR entry IN SELECT e
               FROM json_array_elements(convert_from(pg_read_binary_file('$1/meta/_journal.json'), 'UTF8')::json -> 'entries')
                    WITH ORDINALITY AS x(e, n) ORDER BY n LOOP
    file := convert_from(pg_read_binary_file('$1/' || (entry ->> 'tag') || '.sql'), 'UTF8');
    FOREACH piece IN ARRAY string_to_array(file, '--> statement-breakpoint') LOOP
      IF btrim(piece, E' \t\r\n') <> '' THEN EXECUTE piece; END IF;
    END LOOP;
    INSERT INTO drizzle.__drizzle_migrations (hash, created_at)
    VALUES (encode(sha256(convert_to(file, 'UTF8')), 'hex'), (entry ->> 'when')::bigint);
  END LOOP;
END
\$floor\$;
SQL
}

# median, min and max of the numbers on stdin
stats() { sort -g | awk '{ a[NR] = $1 } END { printf "%s|%s|%s\n", a[int((NR + 1) / 2)], a[1], a[NR] }'; }
