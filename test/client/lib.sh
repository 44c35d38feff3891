# Sourced by the client suites (test/client/*.sh): a throwaway server, the client under test,
# check reporting, databases and migration folders. The sourcing script sets HERE and ROOT.
# shellcheck shell=bash disable=SC2034
. "$ROOT/test/lib/client.sh"

# shellcheck source-path=SCRIPTDIR source=../lib/server.sh
source "$ROOT/test/lib/server.sh"

command -v jq >/dev/null || { echo "jq is needed by the tests (not by the client)" >&2; exit 2; }

PASSED=0
FAILED=0
TMP=$(mktemp -d /tmp/trovella-client-test.XXXXXX)
chmod 755 "$TMP"
cleanup() {
    stop_server
    rm -rf "$TMP"
}

start_server || { echo "cannot start PostgreSQL" >&2; exit 2; }
trap cleanup EXIT
export PGHOST PGPORT PGUSER PGCLIENTENCODING=UTF8
# The client must not depend on these being unset; the tests set what each case needs.
unset DATABASE_URL PGPASSWORD PGSERVICE

# ---------------------------------------------------------------------------------------------
# Reporting.

ok() { PASSED=$((PASSED + 1)); printf 'ok - %s\n' "$1"; }
not_ok() {
    FAILED=$((FAILED + 1))
    printf 'not ok - %s\n' "$1"
    shift
    local line
    for line in "$@"; do printf '#   %s\n' "$line"; done
    if [[ -f $TMP/out ]]; then
        printf '#   exit code: %s\n' "${RC:-?}"
        sed -n '1,15s/^/#   stdout: /p' "$TMP/out"
        sed -n '1,15s/^/#   stderr: /p' "$TMP/err"
    fi
}
# check NAME COMMAND...: ok when the command succeeds.
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}

# tm ARGS...: runs the client; RC, $TMP/out, $TMP/err.
tm() {
    "$CLIENT" "$@" >"$TMP/out" 2>"$TMP/err"
    RC=$?
}
rc_is() { [[ $RC == "$1" ]]; }
out_has() { grep -qF -- "$1" "$TMP/out"; }
err_has() { grep -qF -- "$1" "$TMP/err"; }
out_lacks() { ! grep -qF -- "$1" "$TMP/out"; }
json_true() { jq -e "$1" "$TMP/out" >/dev/null 2>&1; }
one_json_doc() { [[ $(jq -s 'length' "$TMP/out" 2>/dev/null) == 1 ]]; }

# ---------------------------------------------------------------------------------------------
# Databases and folders.

DB_SEQ=0
# new_db: creates a database with the extension; sets DB to its name.
new_db() {
    DB_SEQ=$((DB_SEQ + 1))
    DB="t${DB_SEQ}_${1:-db}"
    psql -X -q -d postgres -c "CREATE DATABASE \"$DB\"" >/dev/null &&
        psql -X -q -d "$DB" -c 'CREATE EXTENSION trovella_migrate' >/dev/null
}
sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
url_for() { printf 'postgresql://%s@/%s?host=%s&port=%s' "$PGUSER" "$1" "$PGHOST" "$PGPORT"; }

WHEN0=1700000000000
# journal DIR TAG...: writes DIR/meta/_journal.json listing the tags (when = WHEN0 + position).
journal() {
    local dir=$1 i=0 sep="" tag
    shift
    mkdir -p "$dir/meta"
    {
        printf '{\n  "version": "7",\n  "dialect": "postgresql",\n  "entries": ['
        for tag in "$@"; do
            printf '%s\n    {\n      "idx": %d,\n      "version": "7",\n      "when": %d,\n      "tag": "%s",\n      "breakpoints": true\n    }' \
                "$sep" "$i" $((WHEN0 + i)) "$tag"
            sep=","
            i=$((i + 1))
        done
        printf '\n  ]\n}\n'
    } >"$dir/meta/_journal.json"
}
# stored_hash DB POSITION: the hash the tracking table recorded for the journal entry.
stored_hash() { sql "$1" "SELECT hash FROM drizzle.__drizzle_migrations WHERE created_at = $((WHEN0 + $2))"; }
file_hash() { sha256sum -- "$1" | cut -d' ' -f1; }
rows_in() { sql "$1" "SELECT count(*) FROM drizzle.__drizzle_migrations" 2>/dev/null || echo none; }
# same_hash DB POSITION FILE
same_hash() {
    local stored expected
    stored=$(stored_hash "$1" "$2")
    expected=$(file_hash "$3")
    [[ -n $stored && $stored == "$expected" ]] || { echo "#   stored '$stored' != sha256sum '$expected'"; return 1; }
}

