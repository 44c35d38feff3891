#!/bin/sh
# Installs, on Debian 12 as root, what building the Debian package needs: git and dpkg-dev for
# packaging/build-deb.sh, and the Build-Depends of debian/control. test/package/run.sh runs it in
# a fresh Debian 12 root and builds the packages there.
set -eu
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends git dpkg-dev
apt-get build-dep -y -qq ./
