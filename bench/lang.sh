#!/usr/bin/env bash
# bosun sbom against syft and trivy on the application-dependency image of
# bench/make-lang-image.sh: interleaved runs, median wall time and max RSS, then the package
# comparison of bench/compare-lang.py on the last run's outputs.
# Usage: bench/lang.sh BOSUN_BIN PEERS_BIN_DIR IMAGE_TAR [RUNS=5] [OUT_DIR]
# Trivy lists jars only when it builds an SBOM or scans for vulnerabilities (its JSON report
# with --scanners '' leaves them out), and then needs its Java DB; without network it runs
# here with an EMPTY Java DB written in its fresh cache dir (--skip-java-db-update), so it
# names only jars that carry a pom.properties (see bench/LANG.md).
set -euo pipefail
BOSUN="$1"; P="$2"; IMG="$3"; RUNS="${4:-5}"; OUT="${5:-$(mktemp -d)}"
export SYFT_CHECK_FOR_APP_UPDATE=false
mkdir -p "$OUT"; tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

empty_java_db() { # DIR: an empty trivy-java-db (schema 1) and its metadata, never updated
  mkdir -p "$1/java-db"
  python3 - "$1/java-db" <<'EOF'
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1] + "/trivy-java.db")
c.executescript("""
CREATE TABLE artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT);
CREATE TABLE indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT,
  foreign key (artifact_id) references artifacts(id));
CREATE UNIQUE INDEX artifacts_idx ON artifacts(artifact_id, group_id);
CREATE INDEX indices_artifact_idx ON indices(artifact_id);
CREATE UNIQUE INDEX indices_sha1_idx ON indices(sha1);""")
c.commit()
json.dump({"Version": 1, "NextUpdate": "2099-01-01T00:00:00Z",
           "UpdatedAt": "2020-01-01T00:00:00Z", "DownloadedAt": "2020-01-01T00:00:00Z"},
          open(sys.argv[1] + "/metadata.json", "w"))
EOF
}

measure() { # NAME CMD...: appends "wall rss_kib" to $tmp/NAME
  local name="$1"; shift
  local c="$tmp/cache.$RANDOM"; empty_java_db "$c"
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

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for ((r = 0; r < RUNS; r++)); do
  measure bosun "$BOSUN" sbom -q --format json -o "$OUT/bosun.json" "docker-archive:$IMG"
  measure trivy "$P/trivy" image --input "$IMG" --cache-backend memory --skip-java-db-update \
    --format cyclonedx -o "$OUT/trivy.cdx.json" --quiet
  measure syft "$P/syft" scan "docker-archive:$IMG" -q -o "syft-json=$OUT/syft.json"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

read -r bw bm < <(stat_of "$tmp/bosun")
read -r tw tm < <(stat_of "$tmp/trivy")
read -r sw sm < <(stat_of "$tmp/syft")
echo
echo "| tool | median wall s ($RUNS runs) | max RSS MiB | all walls |"
echo "| --- | --- | --- | --- |"
for t in bosun trivy syft; do
  read -r w m < <(stat_of "$tmp/$t")
  echo "| $t | $w | $m | $(awk '{print $1}' "$tmp/$t" | paste -sd' ') |"
done
printf '\nbosun/trivy: time %.2f, memory %.2f; bosun/syft: time %.2f, memory %.2f\n\n' \
  "$(echo "$bw / $tw" | bc -l)" "$(echo "$bm / $tm" | bc -l)" \
  "$(echo "$bw / $sw" | bc -l)" "$(echo "$bm / $sm" | bc -l)"
python3 "$(dirname "$0")/compare-lang.py" "$OUT/bosun.json" "$OUT/syft.json" "$OUT/trivy.cdx.json"
