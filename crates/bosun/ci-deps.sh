#!/usr/bin/env bash
# Tools the end-to-end language tests (tests/it/lang.rs) need on Debian 12, run as root by
# .ci/run; idempotent. The tests skip without them, and fail instead when BOSUN_REQUIRE_TOOLS=1.
# - /usr/bin/python3 with pip (python3-pip: `python3 -m pip install --target`, which PEP 668's
#   externally-managed check leaves alone, and `pip list --path`), packaging and yaml
#   (python3-packaging, python3-yaml: the PyPI advisory oracle).
# - node and npm: `npm install`, `npm ls`, and node's `semver` package (the npm advisory
#   oracle) in the prefix crates/bosun-version/ci-deps.sh uses; the test reads
#   BOSUN_NODE_SEMVER_DIR or, failing that, /usr/local/lib/bosun-node-semver.
# The tests also need PyPI and the npm registry to be reachable.
set -euo pipefail
need=()
for p in python3 python3-pip python3-packaging python3-yaml; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
done
# node/npm may come from elsewhere (a preinstalled node); install Debian's only if absent.
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
dir=/usr/local/lib/bosun-node-semver
if ! NODE_PATH="$dir/node_modules" node -e "require('semver')" >/dev/null 2>&1; then
  mkdir -p "$dir"
  npm install --silent --no-audit --no-fund --prefix "$dir" semver@7 >/dev/null
fi
