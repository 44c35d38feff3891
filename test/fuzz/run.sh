#!/usr/bin/env bash
# Builds the libFuzzer targets (clang) and runs each for N seconds: test/fuzz/run.sh [N]  (default 30)
# Exits non-zero when a target crashes, fails an invariant or trips a sanitizer; the input that did
# it is kept as build/fuzz/artifacts/<target>-crash-*. New corpus entries go to build/fuzz/corpus/,
# so the seeds under test/fuzz/corpus/ stay as committed.
set -euo pipefail

seconds="${1:-30}"
case "$seconds" in
    '' | *[!0-9]*) echo "usage: $0 [seconds per target]" >&2; exit 2 ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${TROVELLA_FUZZ_BUILD_DIR:-$root/build/fuzz}"
targets=(journal_fuzz splitter_fuzz)

# The core library is instrumented too (CMakeLists only adds -fsanitize=fuzzer to the targets
# themselves): without coverage feedback from src/core, libFuzzer would be fuzzing blind.
# Undefined behaviour aborts instead of printing and going on, so that it counts as a crash.
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DTROVELLA_FUZZ=ON -DCMAKE_CXX_FLAGS="$flags" >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

mkdir -p "$build/artifacts"
failed=()
for target in "${targets[@]}"; do
    corpus="$build/corpus/$target"
    mkdir -p "$corpus"
    dict=()
    [ -f "$here/$target.dict" ] && dict=(-dict="$here/$target.dict")
    echo "== $target: ${seconds}s"
    if ! "$build/$target" "$corpus" "$here/corpus/$target" "${dict[@]}" \
        -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$target-" 2>"$build/$target.log"; then
        failed+=("$target")
        tail -n 60 "$build/$target.log" >&2
    fi
    grep -E '^(#[0-9]+.*DONE|Done [0-9]+ runs|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added)' \
        "$build/$target.log" || true
done

if [ "${#failed[@]}" -ne 0 ]; then
    echo "FAILED: ${failed[*]} (logs: $build/<target>.log, inputs: $build/artifacts/)" >&2
    exit 1
fi
echo "fuzzing passed: ${targets[*]}, ${seconds}s each"
