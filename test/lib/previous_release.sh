# Sourced by tests that build an earlier release from this repository's own history.
#   release_commit ROOT VERSION   prints the last commit whose trovella_migrate.control had
#                                 default_version VERSION (the parent of the commit that changed
#                                 it); fails when the history does not reach it (a shallow clone)
release_commit() {
  local changed commit
  changed=$(git -C "$1" log --format=%H -1 -S"default_version = '$2'" -- trovella_migrate.control 2>/dev/null)
  [ -n "$changed" ] || return 1
  commit=$(git -C "$1" rev-parse -q --verify "$changed^" 2>/dev/null) || return 1
  git -C "$1" show "$commit:trovella_migrate.control" 2>/dev/null | grep -qx "default_version = '$2'" || return 1
  echo "$commit"
}
