#!/usr/bin/env bash
# A large image for the secret-scanning benchmark (needs make-images.sh's output, umoci, skopeo):
# the bench base (Debian minbase) plus a layer of real mixed content copied from this machine
# (a Python installation: source text, compiled modules, shared objects; C headers) and a
# planted credentials file, deleted again in a third layer. Output: $1/secrets.tar
set -euo pipefail
OUT="${1:-${TMPDIR:-/tmp}/bosun-bench}"
cd "$OUT"
PY="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
rm -rf bundle secrets.tar
umoci new --image oci:secrets
umoci config --image oci:secrets --os linux --architecture amd64 --config.cmd /bin/sh
umoci unpack --image oci:secrets bundle
cp -a base/. bundle/rootfs/
umoci repack --refresh-bundle --image oci:secrets --history.created_by "debootstrap" bundle
mkdir -p bundle/rootfs/usr/local/lib/python3.11 bundle/rootfs/opt/include bundle/rootfs/opt/app
cp -a "$PY/." bundle/rootfs/usr/local/lib/python3.11/
cp -a /usr/include/. bundle/rootfs/opt/include/
printf 'AWS_ACCESS_KEY_ID=AKIA2E0A8F3B244C9986\nAWS_SECRET_ACCESS_KEY=Ex1sU3q7tYv9pR2mZk8LwN4bH6cJd0FgTaQeVuXo\nGITHUB_TOKEN=ghp_4Xq9Lm2Rt7Vz1Kp8Ns3Wd6Yb0Hc5Jf2Ge9Ta\n' > bundle/rootfs/opt/app/.env
umoci repack --refresh-bundle --image oci:secrets --history.created_by "COPY . /opt" bundle
rm bundle/rootfs/opt/app/.env
umoci repack --refresh-bundle --image oci:secrets --history.created_by "rm /opt/app/.env" bundle
rm -rf bundle
skopeo copy -q oci:oci:secrets docker-archive:secrets.tar:bench/secrets:test
ls -la secrets.tar
