# Sourced by shell tests: `check NAME COMMAND...` runs a check and prints TAP-like lines;
# `finish` prints the summary line and sets the exit status.
TM_PASSED=0
TM_FAILED=0
check() {
  local name=$1; shift
  if "$@" >/dev/null 2>&1; then
    TM_PASSED=$((TM_PASSED + 1)); echo "ok - $name"
  else
    TM_FAILED=$((TM_FAILED + 1)); echo "not ok - $name"
  fi
}
# check_output NAME EXPECTED_SUBSTRING TEXT
check_contains() {
  local name=$1 needle=$2 haystack=$3
  if [[ "$haystack" == *"$needle"* ]]; then
    TM_PASSED=$((TM_PASSED + 1)); echo "ok - $name"
  else
    TM_FAILED=$((TM_FAILED + 1)); echo "not ok - $name"; echo "#   expected to find: $needle"; echo "$haystack" | head -20 | sed 's/^/#   /'
  fi
}
finish() {
  echo "$TM_PASSED passed, $TM_FAILED failed"
  [ "$TM_FAILED" = 0 ]
}
