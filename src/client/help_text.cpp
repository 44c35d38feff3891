#include "client/help_text.hpp"

namespace trovella::client {

const char* const kDescription =
    "Applies and checks Drizzle ORM migrations with the trovella_migrate PostgreSQL extension\n"
    "(CREATE EXTENSION trovella_migrate in the database first). Reads the migrations folder\n"
    "(drizzle-kit 0.x: meta/_journal.json and every *.sql file in it; Drizzle 1.x: every\n"
    "<YYYYMMDDHHMMSS>_<name>/migration.sql) and sends the exact bytes of each file to the\n"
    "database as query parameters; the extension splits them on \"--> statement-breakpoint\",\n"
    "runs, records and verifies them. A .sql file that the journal does not list is sent too:\n"
    "the extension warns about it (\"orphan\") and never runs it.";

const char* const kFooter =
    "Connection: --database-url, else DATABASE_URL (also from --env-file-if-exists), else libpq's\n"
    "PG* variables (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSERVICE, ...) and service\n"
    "files; ~/.pgpass applies; never prompts for a password. The target is shown as\n"
    "user@host:port/dbname with its source; a password is never printed.\n"
    "Output: the extension's messages (the team wiki's) on stdout as they arrive; warnings on\n"
    "stderr as \"warning: ...\"; errors with PostgreSQL's ERROR, DETAIL, HINT, CONTEXT and SQLSTATE.\n"
    "--json: exactly one JSON document on stdout instead (schema_version 1), nothing else.\n"
    "Fleets: with more than one target (--database-url repeated, --targets FILE) the command runs\n"
    "on each, --parallel N at a time (default 4), each with its own connection, lock, transaction\n"
    "and engine; one line per migration applied and one per target, prefixed by the target, then a\n"
    "summary table (--json: one entry per target). The exit code is the highest of the targets'\n"
    "(at least 4 when Ctrl-C left a target undone). Ctrl-C once: no new target starts, the running\n"
    "ones finish; twice: their statements are cancelled and roll back.\n"
    "Run 'trovella-migrate COMMAND --help' for a command's options.\n";

CommandHelp help_for(Command command) {
    switch (command) {
        case Command::migrate:
            return {"apply every pending migration, then verify (layer 1 and layer 2)",
                    "Applies every pending migration with trovella_migrate.apply, in one transaction by\n"
                    "default (all or nothing), which checks the counts before and after (layer 1); then\n"
                    "runs the independent layer-2 check (trovella_migrate.verify on the journal and the\n"
                    "tracking table). --commit-each commits after each migration instead (CALL\n"
                    "trovella_migrate.apply_each): a failure keeps the migrations before it. --to TAG\n"
                    "applies pending migrations up to and including TAG only (the journal is sent cut\n"
                    "after TAG, and layer 2 compares against that cut journal); refused when a later\n"
                    "migration is already applied."};
        case Command::status:
            return {"print every migration and its state",
                    "Prints a table of every migration and its state: applied, pending, modified (file\n"
                    "edited after it was applied), out_of_order (older than the newest applied one),\n"
                    "unknown (a tracking row the journal lacks), orphan (a file the journal lacks).\n"
                    "Read-only; works on a hot standby. Exit 1 when anything is pending, modified, out\n"
                    "of order or unknown."};
        case Command::verify:
            return {"layer 2 only: compare the journal and the files with the tracking table",
                    "The independent, read-only layer-2 check (trovella_migrate.verify): compares the\n"
                    "journal and the files' hashes with the tracking table. Works on a hot standby.\n"
                    "Exit 1 when they differ."};
        case Command::plan:
            return {"dry run: print the statements migrate would run",
                    "Prints the statements that migrate would run, after the same checks, with their\n"
                    "migration, number and line (trovella_migrate.plan). Changes nothing."};
        case Command::baseline:
            return {"record migrations up to a tag as applied without running them",
                    "Adopts an existing database: records the journal entries up to and including\n"
                    "--through TAG as applied without running them (trovella_migrate.baseline). Use it\n"
                    "once, when the schema already exists."};
        case Command::repair:
            return {"record the new hash of an applied migration whose file was edited on purpose",
                    "Records the new hash of the applied migration TAG whose file was edited on purpose\n"
                    "(trovella_migrate.repair); nothing of the file is run, and the old hash stays in\n"
                    "the extension's history with who and when."};
        case Command::none:
            break;
    }
    return {"", ""};
}

}  // namespace trovella::client
