#!/usr/bin/env bash
# Tools the differential tests of bosun-version compare against (run as root on Debian 12).
# - dpkg (dpkg --compare-versions) ships with Debian.
# - python3-rpm: rpm.labelCompare; python3-packaging: packaging.version (both for /usr/bin/python3).
# - node + the npm `semver` package, installed into a fixed prefix; the test reads
#   BOSUN_NODE_SEMVER_DIR or, failing that, /usr/local/lib/bosun-node-semver.
set -euo pipefail
need=()
for p in dpkg python3-rpm python3-packaging nodejs npm; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
done
# nodejs/npm may come from elsewhere (e.g. a preinstalled node); only install them if absent.
if command -v node >/dev/null 2>&1; then need=("${need[@]/nodejs}"); fi
if command -v npm >/dev/null 2>&1; then need=("${need[@]/npm}"); fi
need=($(printf '%s\n' "${need[@]}" | grep -v '^$' || true))
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
dir=/usr/local/lib/bosun-node-semver
if ! NODE_PATH="$dir/node_modules" node -e "require('semver')" >/dev/null 2>&1; then
  mkdir -p "$dir"
  npm install --silent --no-audit --no-fund --prefix "$dir" semver@7 >/dev/null
fi
