# Sourced by test/package/run.sh (after lib/chroot.sh): runs a Dockerfile's steps in the Debian 12
# root instead of a container, so the package test runs what the CI image runs.
#   dockerfile_run DOCKERFILE CONTEXT
# FROM must be postgres:15-bookworm (the root stands in for it); COPY copies from CONTEXT into the
# root (a source is a path or a glob that must match, as Docker requires); RUN runs its shell
# form with /bin/sh inside. Any other instruction, flag or form is refused, naming it: the test
# must not pass over a step it cannot run.
dockerfile_run() {
  local file=$1 context=$2 line next instruction args match
  local -a words sources matches
  while IFS= read -r line || [ -n "$line" ]; do
    while [[ $line == *\\ ]] && IFS= read -r next; do line="${line%\\}${next}"; done
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    instruction=${line%%[[:space:]]*}
    args=${line#"$instruction"}
    args=${args#"${args%%[![:space:]]*}"}
    case ${instruction^^} in
      FROM)
        [ "$args" = "postgres:15-bookworm" ] ||
          { echo "dockerfile: FROM $args: this test stands in only for postgres:15-bookworm" >&2; return 1; } ;;
      COPY)
        read -r -a words <<<"$args"
        [[ ${words[0]} != --* && ${words[0]} != \[* && ${#words[@]} -ge 2 ]] ||
          { echo "dockerfile: COPY $args: only 'COPY SOURCE... DEST' is supported" >&2; return 1; }
        sources=("${words[@]:0:${#words[@]}-1}")
        local dest=${words[-1]} source
        [[ $dest == /*/ ]] || { echo "dockerfile: COPY destination $dest: give an absolute folder ending in /" >&2; return 1; }
        mkdir -p "$ROOT$dest"
        for source in "${sources[@]}"; do
          matches=()
          for match in "$context"/$source; do [ -e "$match" ] && matches+=("$match"); done
          [ ${#matches[@]} -gt 0 ] || { echo "dockerfile: COPY $source: no such file in $context" >&2; return 1; }
          cp -r "${matches[@]}" "$ROOT$dest"
        done ;;
      RUN)
        [[ $args != \[* ]] || { echo "dockerfile: RUN $args: only the shell form is supported" >&2; return 1; }
        in_root /bin/sh -c "$args" || { echo "dockerfile: RUN $args: failed" >&2; return 1; } ;;
      *)
        echo "dockerfile: $instruction: not supported by this test (FROM, COPY, RUN only)" >&2; return 1 ;;
    esac
  done <"$file"
}
