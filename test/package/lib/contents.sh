# Sourced by test/package/run.sh (after test/lib/check.sh):
#   check_contents DEB VERSION ROOT WORK   the package's name, version, dependencies and files,
#                                          and that packaging/README.md lists exactly those files
check_contents() {
  local deb=$1 version=$2 root=$3 work=$4 package=postgresql-15-trovella-migrate f
  check_contains "the package version is the control file's default_version" "$package $version" \
    "$(dpkg-deb --show --showformat='${Package} ${Version}' "$deb")"
  local depends
  depends=$(dpkg-deb --field "$deb" Depends)
  check_contains "it depends on postgresql-15" "postgresql-15 " "$depends"
  check_contains "it depends on libpq5 (the client)" "libpq5" "$depends"
  dpkg-deb --contents "$deb" | awk '{print $6 ($7 ? " " $7 " " $8 : "")}' | sed 's|^\./|/|' >"$work/files.txt"
  for f in /usr/lib/postgresql/15/lib/trovella_migrate.so /usr/share/postgresql/15/extension/trovella_migrate.control \
           "/usr/share/postgresql/15/extension/trovella_migrate--$version.sql" /usr/lib/postgresql/15/bin/trovella-migrate \
           "/usr/bin/trovella-migrate -> ../lib/postgresql/15/bin/trovella-migrate"; do
    check "the package holds $f" grep -qxF "$f" "$work/files.txt"
  done
  check "the package holds every upgrade script of the tree" \
    test "$(grep -c '^/usr/share/postgresql/15/extension/trovella_migrate--.*--.*\.sql$' "$work/files.txt")" = \
         "$(cd "$root" && git ls-files 'trovella_migrate--*--*.sql' | wc -l)"
  local outside
  outside=$(grep -vE "^/(|usr/|usr/(bin|lib|share|share/doc|lib/postgresql|share/postgresql)/|usr/bin/trovella-migrate -> .*)$|^/usr/(lib|share)/postgresql/15/|^/usr/share/doc/$package/" "$work/files.txt")
  check "nothing outside /usr/bin/trovella-migrate, PostgreSQL 15's folders and the package's doc" test -z "$outside"
  check "one JIT bitcode file per source file of src/core and src/pg" test \
    "$(grep -o 'bitcode/trovella_migrate/src/.*\.bc$' "$work/files.txt" | sed 's|^bitcode/trovella_migrate/||; s|\.bc$||' | sort)" = \
    "$(cd "$root" && git ls-files 'src/core/*.cpp' 'src/pg/*.cpp' | sed 's|\.cpp$||' | sort)"

  # packaging/README.md's `dpkg -c` listing, the version, the bitcode and upgrade script names aside.
  local doc=$root/packaging/README.md doc_version bitcode='/usr/lib/postgresql/15/lib/bitcode/trovella_migrate/src/\(core\|pg\)/[^/]*\.bc$'
  local upgrades='/usr/share/postgresql/15/extension/trovella_migrate--[0-9.]*--[0-9.]*\.sql$'
  doc_version=$(sed -n "s/^\$ dpkg -c ${package}_\([0-9.]*\)_amd64.deb$/\1/p" "$doc")
  sed -n '/^\$ dpkg -c /,/^```/p' "$doc" | awk 'NF >= 6 {print $6 ($7 ? " " $7 " " $8 : "")}' |
    sed "s|^\./|/|; s|${doc_version:-none}|VERSION|g" | sort >"$work/doc-files.txt"
  sed -e "s#$upgrades#/usr/share/postgresql/15/extension/trovella_migrate--*--*.sql#" -e "s|$version|VERSION|g" \
    -e "s#$bitcode#/usr/lib/postgresql/15/lib/bitcode/trovella_migrate/src/\1/*.bc#" "$work/files.txt" | sort -u >"$work/real-files.txt"
  if [ -n "$doc_version" ] && diff "$work/doc-files.txt" "$work/real-files.txt" >"$work/files.diff"; then
    check "packaging/README.md lists exactly the package's files ($(wc -l <"$work/real-files.txt") entries)" true
  else
    sed 's/^/#   /' "$work/files.diff" | head -20
    check "packaging/README.md lists exactly the package's files (update it from dpkg -c)" false
  fi
}
