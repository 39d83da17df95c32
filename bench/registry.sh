#!/usr/bin/env bash
# bosun against `trivy image`, both pulling from the same loopback registry (issue 7).
# Usage: bench/registry.sh BOSUN_BIN PEERS_BIN_DIR IMAGES_DIR [RUNS=5]
#   IMAGES_DIR holds multi-oci/ (bench/make-images.sh). A second image sharing its base
#   layers is derived from it (bench/derive-image.py: one small extra layer on top).
#   Needs docker-registry, skopeo, python3; a bosun DB is imported from ../shared/data/osv
#   (override with DATA_DIR=...).
# Scenarios, interleaved, RUNS runs each, median wall time and max RSS:
#   cold  : image 1, empty layer caches (bosun cache clean / fresh trivy cache dir)
#   warm  : image 1 again, caches holding image 1
#   shared: image 2, caches holding image 1 only (shares 3 of its 4 layers)
#   match : bosun scan of an SBOM of image 1 (vulnerability matching only, no pull)
# bosun runs a full vulnerability scan (offline DB); trivy runs package-only
# (`--scanners ''`, no vulnerability DB reachable here), so bosun's times include matching.
# Prints a Markdown table.
set -euo pipefail
BOSUN="$(realpath "$1")"; P="$2"; I="$3"; RUNS="${4:-5}"
HERE="$(cd "$(dirname "$0")" && pwd)"
DATA="${DATA_DIR:-$HERE/../../shared/data}"
TRIVY="$P/trivy"
tmp="$(mktemp -d)"
REG_PID=""
cleanup() { [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# --- registry with both images -------------------------------------------------------------
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s/storage\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$tmp" "$PORT" > "$tmp/config.yml"
docker-registry serve "$tmp/config.yml" > "$tmp/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
python3 "$HERE/derive-image.py" "$I/multi-oci" "$tmp/multi2-oci" multi2
skopeo copy -q --dest-tls-verify=false "oci:$I/multi-oci" "docker://127.0.0.1:$PORT/bench/multi:1"
skopeo copy -q --dest-tls-verify=false "oci:$tmp/multi2-oci" "docker://127.0.0.1:$PORT/bench/multi:2"
IMG1="127.0.0.1:$PORT/bench/multi:1"; IMG2="127.0.0.1:$PORT/bench/multi:2"

"$BOSUN" db import --db-dir "$tmp/db" "$DATA/osv/debian-converted" \
  "$DATA/osv/kev/known_exploited_vulnerabilities.json" >/dev/null 2>&1
"$BOSUN" sbom -q --format json -o "$tmp/sbom.json" "$IMG1"

# --- measuring -----------------------------------------------------------------------------
BC="$tmp/bosun-cache"; TC="$tmp/trivy-cache"
# commands as arrays: /usr/bin/time runs programs, not shell functions
bosun_scan=("$BOSUN" scan --scanners vuln --offline --db-dir "$tmp/db" --cache-dir "$BC" -q --format json)
trivy_scan=("$TRIVY" image --scanners '' --list-all-pkgs --format json --insecure --image-src remote
  --skip-db-update --skip-version-check --disable-telemetry -q --cache-dir "$TC")
bosun_clean() { "$BOSUN" cache clean --cache-dir "$BC" >/dev/null 2>&1 || rm -rf "$BC"; }
trivy_clean() { rm -rf "$TC"; }
# measure NAME CMD...: appends "wall rss_kib" to $tmp/NAME
measure() {
  local name="$1"; shift
  local t0 t1 # wall from date (ns; /usr/bin/time's %e is only 10 ms), RSS from /usr/bin/time
  t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$tmp/t" "$@" >"$tmp/out.json" 2>"$tmp/err" || {
    echo "failed: $name: $(tail -3 "$tmp/err")" >&2; return 1; }
  t1=$(date +%s%N)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}') $(tail -n 1 "$tmp/t")" >> "$tmp/$name"
}
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
stat_of() { # file -> "median_wall max_rss_mib"
  local w r
  w=$(awk '{print $1}' "$1" | median)
  r=$(awk '{print $2}' "$1" | sort -n | tail -1)
  echo "$w $((r / 1024))"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 0; r < RUNS; r++)); do
  # (a) cold, then (b) warm on the caches (a) filled
  bosun_clean; measure bosun.cold "${bosun_scan[@]}" "$IMG1"; measure bosun.warm "${bosun_scan[@]}" "$IMG1"
  trivy_clean; measure trivy.cold "${trivy_scan[@]}" "$IMG1"; measure trivy.warm "${trivy_scan[@]}" "$IMG1"
  # (c) image 2 with caches holding image 1 only
  bosun_clean; "${bosun_scan[@]}" "$IMG1" >/dev/null; measure bosun.shared "${bosun_scan[@]}" "$IMG2"
  trivy_clean; "${trivy_scan[@]}" "$IMG1" >/dev/null; measure trivy.shared "${trivy_scan[@]}" "$IMG2"
  # matching only: the SBOM of image 1
  measure bosun.match "$BOSUN" scan --scanners vuln --offline --db-dir "$tmp/db" -q --format json "sbom:$tmp/sbom.json"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "| scenario | bosun s | bosun MiB | trivy s | trivy MiB | bosun/trivy |"
echo "|---|---|---|---|---|---|"
for s in cold warm shared; do
  read -r bw br <<<"$(stat_of "$tmp/bosun.$s")"
  read -r tw tr <<<"$(stat_of "$tmp/trivy.$s")"
  ratio=$(awk -v a="$bw" -v b="$tw" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }')
  echo "| $s | $bw | $br | $tw | $tr | $ratio |"
done
read -r mw mr <<<"$(stat_of "$tmp/bosun.match")"
echo "| match only (bosun scan sbom:) | $mw | $mr | - | - | - |"
echo
echo "Runs: $RUNS interleaved; medians of wall seconds, max RSS. Load average (1/5/15 min): before $load_before, after $load_after."
for s in cold warm shared match; do printf '%s ' "bosun.$s:"; awk '{printf "%s ", $1}' "$tmp/bosun.$s"; echo; done
for s in cold warm shared; do printf '%s ' "trivy.$s:"; awk '{printf "%s ", $1}' "$tmp/trivy.$s"; echo; done
