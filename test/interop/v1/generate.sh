#!/usr/bin/env bash
# Regenerates the Drizzle 1.x interop fixtures with the real drizzle-kit (see doc/drizzle-v1.md).
#
#   bash test/interop/v1/generate.sh           rewrite fixtures/migrations, fixtures/v0 and fixtures/up
#   bash test/interop/v1/generate.sh --check   generate into a temporary folder and compare with the
#                                              committed fixtures (exit 1 when they differ)
#
# fixtures/migrations  drizzle-kit 1.x (this folder's package.json): the v1 layout, four migrations:
#     <t0>_init                    schema/gen1.ts
#     <t1>_branch_audit_log        schema/branch.ts, generated on a copy of the folder holding only
#                                  init (a feature branch: its parent is init)
#     <t2>_comments_and_due_dates  schema/gen2.ts, on the main line (parent init), generated after the
#                                  branch, so t1 < t2: merging the branch puts it *before* a migration
#                                  that a database may already have
#     <t3>_audit_log_details       schema/gen3.ts, after the merge: its snapshot has both leaves as
#                                  parents (prevIds)
# fixtures/v0          drizzle-kit 0.31 (../package.json, the 0.x suite's pins) and ../schema: the old
#                      layout (meta/_journal.json, NNNN_tag.sql, meta/NNNN_snapshot.json), three
#                      migrations 0000_init, 0001_comments_and_due_dates, 0002_branch_audit_log, each
#                      generated in its own second (drizzle-kit up refuses same-second entries whose
#                      names sort the wrong way; see probe.sh)
# fixtures/up          `drizzle-kit up` (1.x) run on a copy of fixtures/v0: the conversion result
#
# The timestamps in folder names, the journal's `when`s and the snapshots' ids differ from run to run;
# --check compares everything else: the names after the timestamp, the bytes of every migration.sql /
# NNNN_tag.sql, the parent graph of the snapshots, and that `drizzle-kit up` of the committed
# fixtures/v0 gives the committed fixtures/up byte for byte (up is deterministic).
# Needs node and npm (installs the pinned packages with npm ci when node_modules is missing or stale);
# needs no database. The hand-written fixtures (same-second, collation) are not touched; after a
# regeneration, run capture.sh to rewrite fixtures/captured (its logs name the fixtures' folders).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
INTEROP=$(cd "$HERE/.." && pwd)
check_only=false
[ "${1:-}" = --check ] && check_only=true

# npm packages: exactly the versions package.json pins, from package-lock.json.
packages_current() {  # DIR
  (cd "$1" && node -e '
    const fs = require("fs");
    const pinned = JSON.parse(fs.readFileSync("package.json", "utf8")).dependencies;
    for (const [name, version] of Object.entries(pinned)) {
      const got = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version;
      if (got !== version) process.exit(1);
    }' 2>/dev/null)
}
for dir in "$HERE" "$INTEROP"; do
  if ! packages_current "$dir"; then
    echo "# npm ci in $dir" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >&2
  fi
done
KIT1=$HERE/node_modules/.bin/drizzle-kit
KIT0=$INTEROP/node_modules/.bin/drizzle-kit
version() { node -p "require('$1/node_modules/drizzle-kit/package.json').version"; }
echo "# drizzle-kit $(version "$HERE") (v1 layout), drizzle-kit $(version "$INTEROP") (0.x layout)" >&2

TMP=$(mktemp -d /tmp/trovella-v1-generate.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# drizzle-kit wants a relative `out`: it runs in $TMP. Its output goes to $TMP/kit.out (shown on failure).
kit() {  # KIT CONFIG SCHEMA OUT ARGS...
  local bin=$1 config=$2 schema=$3 out=$4; shift 4
  if ! (cd "$TMP" && INTEROP_SCHEMA=$schema INTEROP_OUT=$out "$bin" "$@" --config="$config" </dev/null) >"$TMP/kit.out" 2>&1; then
    cat "$TMP/kit.out" >&2; echo "drizzle-kit $* failed" >&2; return 1
  fi
}
v1() { kit "$KIT1" "$HERE/drizzle.config.ts" "$HERE/schema/$1.ts" "$2" generate --name="$3"; }
v0() { kit "$KIT0" "$INTEROP/drizzle.config.ts" "$INTEROP/schema/$1.ts" "$2" generate --name="$3"; }

# --- the v1 layout --------------------------------------------------------------------------------
v1 gen1 ./new init
cp -r "$TMP/new" "$TMP/branch"
v1 branch ./branch branch_audit_log          # on the branch: parent init
sleep 1                                      # the main line's next migration is a later second
v1 gen2 ./new comments_and_due_dates         # on the main line: parent init
cp -r "$TMP"/branch/*_branch_audit_log "$TMP/new/"   # the merge
kit "$KIT1" "$HERE/drizzle.config.ts" "$HERE/schema/gen3.ts" ./new check
v1 gen3 ./new audit_log_details              # parents: both leaves
# --- the 0.x layout ---------------------------------------------------------------------------------
v0 gen1 ./old init;                    sleep 1
v0 gen2 ./old comments_and_due_dates;  sleep 1
v0 branch ./old branch_audit_log
# --- drizzle-kit up of the 0.x layout ----------------------------------------------------------------
cp -r "$TMP/old" "$TMP/up"
kit "$KIT1" "$HERE/drizzle.config.ts" "$HERE/schema/gen3.ts" ./up up

# A description of a v1 folder without its timestamps and snapshot ids: per migration (in folder
# order) the name after the timestamp, the sha256 of migration.sql, and its parents' names.
describe_v1() {  # FOLDER
  (cd "$1" && node -e '
    const fs = require("fs"), crypto = require("crypto");
    const dirs = fs.readdirSync(".").filter((d) => fs.existsSync(`${d}/migration.sql`)).sort();
    const byId = new Map(dirs.map((d) => [JSON.parse(fs.readFileSync(`${d}/snapshot.json`, "utf8")).id, d.slice(15)]));
    for (const d of dirs) {
      if (!/^\d{14}_/.test(d)) throw new Error(`unexpected folder name ${d}`);
      const snap = JSON.parse(fs.readFileSync(`${d}/snapshot.json`, "utf8"));
      const parents = snap.prevIds.map((id) => byId.get(id) ?? (id === "00000000-0000-0000-0000-000000000000" ? "-" : "?"));
      const hash = crypto.createHash("sha256").update(fs.readFileSync(`${d}/migration.sql`)).digest("hex");
      console.log(d.slice(15), hash, `${snap.type}/${snap.version}`, parents.join(","));
    }')
}
# The same for the 0.x layout: journal entries without `when`, and the sha256 of each file.
describe_v0() {  # FOLDER
  (cd "$1" && node -e '
    const fs = require("fs"), crypto = require("crypto");
    const j = JSON.parse(fs.readFileSync("meta/_journal.json", "utf8"));
    console.log(j.version, j.dialect);
    for (const e of j.entries) console.log(e.idx, e.tag, e.version, e.breakpoints,
      crypto.createHash("sha256").update(fs.readFileSync(`${e.tag}.sql`)).digest("hex"));')
}

if $check_only; then
  F=$HERE/fixtures
  ok=true
  diff <(describe_v1 "$TMP/new") <(describe_v1 "$F/migrations") >&2 || { echo "fixtures/migrations differs from what drizzle-kit generates now" >&2; ok=false; }
  diff <(describe_v0 "$TMP/old") <(describe_v0 "$F/v0") >&2 || { echo "fixtures/v0 differs from what drizzle-kit 0.x generates now" >&2; ok=false; }
  cp -r "$F/v0" "$TMP/committed-up"
  kit "$KIT1" "$HERE/drizzle.config.ts" "$HERE/schema/gen3.ts" ./committed-up up
  diff -r "$TMP/committed-up" "$F/up" >&2 || { echo "drizzle-kit up of fixtures/v0 differs from fixtures/up" >&2; ok=false; }
  $ok && echo "fixtures are what drizzle-kit generates now"
  $ok
  exit
fi
mkdir -p "$HERE/fixtures"
for pair in new:migrations old:v0 up:up; do
  rm -rf "${HERE:?}/fixtures/${pair#*:}"
  cp -r "$TMP/${pair%%:*}" "$HERE/fixtures/${pair#*:}"
done
describe_v1 "$HERE/fixtures/migrations"
ls "$HERE/fixtures/migrations" "$HERE/fixtures/v0" "$HERE/fixtures/up"
