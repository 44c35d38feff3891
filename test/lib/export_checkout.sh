# Sourced by tests that need a clean copy of this checkout.
#   export_checkout ROOT DEST   writes ROOT's tracked files, with their uncommitted changes (as
#                               `git stash create` records them) and nothing built or untracked,
#                               into DEST
export_checkout() {
  local rev
  rev=$(git -C "$1" -c user.name=export -c user.email=export@localhost stash create 2>/dev/null)
  mkdir -p "$2" && git -C "$1" archive "${rev:-HEAD}" | tar -x -C "$2"
}
