# Sourced by test/package/run.sh (uses its root, builder, work, package, version, old_commit):
#   build_packages   in the builder root, a clone of this checkout (its uncommitted changes
#                    included), packaging/install-build-deps.sh, then build-deb.sh for this
#                    version and, --from the 0.1.0 commit, for 0.1.0; a tree whose
#                    debian/pgversions names no installable major must fail, saying why. Sets deb
#                    and old_deb to the packages, copied to $work/dist, and deletes the builder.
build_packages() {
  src=$builder/src/trovella_migrate
  git clone -q --no-hardlinks "$root" "$src" && export_checkout "$root" "$src"  # history, and uncommitted changes
  ROOT=$builder in_root sh /src/trovella_migrate/packaging/install-build-deps.sh >"$work/build-deps.log" 2>&1; code=$?
  check "install-build-deps.sh installs the Build-Depends of debian/control in the builder" test $code = 0
  [ $code = 0 ] || tail -20 "$work/build-deps.log"
  echo "# build dependencies installed: $((SECONDS - started)) s"
  ROOT=$builder in_root sh -c 'cd /src/trovella_migrate && bash packaging/build-deb.sh /dist' >"$work/build.log" 2>&1
  deb=$(ls "$builder"/dist/${package}_"$version"_*.deb 2>/dev/null)
  check "$package $version builds there from a clone of this checkout" test -f "$deb"
  [ -f "$deb" ] || tail -30 "$work/build.log"
  ROOT=$builder in_root sh -c "cd /src/trovella_migrate && bash packaging/build-deb.sh --from $old_commit /dist-old" \
    >"$work/build-old.log" 2>&1
  old_deb=$(ls "$builder"/dist-old/${package}_0.1.0_*.deb 2>/dev/null)
  check "$package 0.1.0 builds there from commit ${old_commit:0:12} with this packaging" test -f "$old_deb"
  [ -f "$old_deb" ] || tail -30 "$work/build-old.log"
  # A tree whose debian/pgversions names no installable major: dpkg-buildpackage fails, and says why.
  export_checkout "$root" "$builder/src/pg14" && echo 14 >"$builder/src/pg14/debian/pgversions"
  git -C "$builder/src/pg14" init -q && git -C "$builder/src/pg14" add -A &&
    git -C "$builder/src/pg14" -c user.name=test -c user.email=test@localhost commit -q -m pg14
  out=$(ROOT=$builder in_root sh -c 'cd /src/pg14 && bash packaging/build-deb.sh /dist-pg14' 2>&1); code=$?
  check_contains "build-deb.sh: a failed dpkg-buildpackage shows why, exit 1" \
    "No current PostgreSQL versions are supported by this package|build-deb.sh: dpkg-buildpackage failed|1" \
    "$(grep -o 'No current PostgreSQL versions are supported by this package' <<<"$out" | head -1)|$(grep -o 'build-deb.sh: dpkg-buildpackage failed' <<<"$out")|$code"
  mkdir -p "$work/dist" && cp "$deb" "$old_deb" "$work/dist/" 2>/dev/null
  deb=$work/dist/${deb##*/} old_deb=$work/dist/${old_deb##*/}
  root_release "$builder"
  echo "# packages built: $((SECONDS - started)) s"
  [ -f "$deb" ] && [ -f "$old_deb" ] || { finish; exit 1; }
}
