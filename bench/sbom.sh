#!/usr/bin/env bash
# bosun sbom against syft and trivy on the same images, in one run, interleaved.
# Usage: bench/sbom.sh BOSUN_BIN PEERS_BIN_DIR IMAGES_DIR [RUNS=5]
# BOSUN_ARGS replaces bosun's command (default `sbom`), e.g. for a whole vulnerability scan:
#   BOSUN_ARGS="scan --scanners vuln --offline --db-dir DB" bench/sbom.sh ...
# Prints a Markdown table: median wall seconds, max RSS MiB, and bosun's ratios to each peer.
set -euo pipefail
BOSUN="$1"; P="$2"; I="$3"; RUNS="${4:-5}"
export SYFT_CHECK_FOR_APP_UPDATE=false
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

# measure NAME CMD...: appends "wall rss_kib" lines to $tmp/NAME
measure() {
  local name="$1"; shift
  local c="$tmp/cache.$RANDOM"; mkdir -p "$c"
  TRIVY_CACHE_DIR="$c" /usr/bin/time -f '%e %M' -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || {
    echo "failed: $name: $(tail -3 "$tmp/err")" >&2; rm -rf "$c"; return 1; }
  rm -rf "$c"
  tail -n 1 "$tmp/t" >> "$tmp/$name"
}
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
stat_of() { # file -> "median_wall max_rss_mib"
  local w r
  w=$(awk '{print $1}' "$1" | median)
  r=$(awk '{print $2}' "$1" | sort -n | tail -1)
  echo "$w $((r / 1024))"
}

images=()
for spec in "single.tar:docker-archive" "single-oci:oci-dir" "multi.tar:docker-archive" "multi-oci:oci-dir"; do
  f="${spec%%:*}"; kind="${spec##*:}"
  [ -e "$I/$f" ] && images+=("$f:$kind")
done

for ((r = 0; r < RUNS; r++)); do
  for spec in "${images[@]}"; do
    f="${spec%%:*}"; kind="${spec##*:}"; key="${f//[^a-z]/_}"
    # shellcheck disable=SC2086 # BOSUN_ARGS is a word list
    measure "bosun.$key" "$BOSUN" ${BOSUN_ARGS:-sbom} -q --format json -o "$tmp/bosun.json" "$kind:$I/$f"
    measure "syft.$key" "$P/syft" scan "$kind:$I/$f" -q -o "syft-json=$tmp/syft.json"
    measure "trivy.$key" "$P/trivy" image --input "$I/$f" --cache-backend memory --scanners '' \
      --list-all-pkgs --format json -o "$tmp/trivy.json"
  done
done

echo "| image | bosun s | trivy s | syft s | bosun/trivy time | bosun/syft time | bosun MiB | trivy MiB | syft MiB | bosun/trivy mem |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for spec in "${images[@]}"; do
  f="${spec%%:*}"; key="${f//[^a-z]/_}"
  read -r bw bm < <(stat_of "$tmp/bosun.$key")
  read -r tw tm < <(stat_of "$tmp/trivy.$key")
  read -r sw sm < <(stat_of "$tmp/syft.$key")
  printf '| %s | %s | %s | %s | %.2f | %.2f | %s | %s | %s | %.2f |\n' "$f" "$bw" "$tw" "$sw" \
    "$(echo "$bw / $tw" | bc -l)" "$(echo "$bw / $sw" | bc -l)" "$bm" "$tm" "$sm" "$(echo "$bm / $tm" | bc -l)"
done
