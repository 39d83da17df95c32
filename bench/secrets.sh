#!/usr/bin/env bash
# bosun scan --scanners secret against trivy --scanners secret on the same image, interleaved.
# Usage: bench/secrets.sh BOSUN_BIN PEERS_BIN_DIR IMAGE_TAR [RUNS=5]
set -euo pipefail
BOSUN="$1"; P="$2"; IMG="$3"; RUNS="${4:-5}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for ((r = 0; r < RUNS; r++)); do
  /usr/bin/time -f '%e %M' -o "$tmp/t" "$BOSUN" scan -q --scanners secret --format json -o "$tmp/b.json" "$IMG"
  tail -1 "$tmp/t" >> "$tmp/bosun"
  mkdir -p "$tmp/cache"
  TRIVY_CACHE_DIR="$tmp/cache" /usr/bin/time -f '%e %M' -o "$tmp/t" "$P/trivy" image --input "$IMG" \
    --cache-backend memory --scanners secret --format json -o "$tmp/t.json" -q
  tail -1 "$tmp/t" >> "$tmp/trivy"; rm -rf "$tmp/cache"
done
med() { awk '{print $1}' "$1" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
rss() { awk '{print $2}' "$1" | sort -n | tail -1; }
b=$(med "$tmp/bosun"); t=$(med "$tmp/trivy")
mb=$(du -m "$IMG" | cut -f1)
echo "| image | MB | bosun s | trivy s | bosun/trivy | bosun MB/s | bosun MiB | trivy MiB |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '| %s | %s | %s | %s | %.3f | %.0f | %s | %s |\n' "$(basename "$IMG")" "$mb" "$b" "$t" \
  "$(echo "$b / $t" | bc -l)" "$(echo "$mb / $b" | bc -l)" "$(( $(rss "$tmp/bosun") / 1024 ))" "$(( $(rss "$tmp/trivy") / 1024 ))"
