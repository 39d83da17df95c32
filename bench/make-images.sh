#!/usr/bin/env bash
# Build the benchmark images without Docker (needs root, debootstrap, umoci, skopeo and the
# Debian mirror). Output under $1 (default $TMPDIR/bosun-bench):
#   single.tar        docker-archive, 1 layer (bookworm minbase + python3, uncompressed)
#   single-oci/       OCI layout of the same, gzip
#   multi.tar         docker-archive, 3 layers: minbase; + curl python3; - curl (purged)
#   multi-oci/        OCI layout of the same, gzip
#   multi-oci.tar     OCI archive of the same
set -euo pipefail
OUT="${1:-${TMPDIR:-/tmp}/bosun-bench}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$OUT"; cd "$OUT"
for t in debootstrap umoci skopeo; do
  command -v "$t" >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap umoci skopeo >/dev/null; }
done

in_chroot() { # run apt in a rootfs with proc and DNS, then tidy up
  local root="$1"; shift
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  trap 'umount "$root/proc" "$root/dev" 2>/dev/null || true' RETURN
  chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

if [ ! -x base/bin/sh ]; then
  rm -rf base
  debootstrap --variant=minbase bookworm base "$MIRROR"
  rm -rf base/dev/* base/var/cache/apt/archives/*.deb base/var/log/* base/debootstrap
fi

rm -rf oci bundle
umoci init --layout oci
umoci new --image oci:multi
umoci config --image oci:multi --os linux --architecture amd64 --config.cmd /bin/bash
umoci unpack --image oci:multi bundle
cp -a base/. bundle/rootfs/
umoci repack --refresh-bundle --image oci:multi --history.created_by "debootstrap --variant=minbase bookworm" bundle
in_chroot bundle/rootfs apt-get update -qq
in_chroot bundle/rootfs apt-get install -y -qq --no-install-recommends curl python3 >/dev/null
rm -rf bundle/rootfs/var/lib/apt/lists/* bundle/rootfs/var/cache/apt/*.bin bundle/rootfs/var/cache/apt/archives/*.deb
umoci repack --refresh-bundle --image oci:multi --history.created_by "apt-get install curl python3" bundle
in_chroot bundle/rootfs apt-get purge -y -qq curl >/dev/null
umoci repack --refresh-bundle --image oci:multi --history.created_by "apt-get purge curl" bundle
rm -rf bundle

# The single-layer image: the final filesystem of multi, in one layer.
umoci new --image oci:single
umoci config --image oci:single --os linux --architecture amd64 --config.cmd /bin/bash
umoci unpack --image oci:multi bundle
umoci unpack --image oci:single bundle-single
cp -a bundle/rootfs/. bundle-single/rootfs/
umoci repack --image oci:single --history.created_by "one layer" bundle-single
rm -rf bundle bundle-single
umoci gc --layout oci

rm -rf multi-oci single-oci multi.tar single.tar multi-oci.tar
skopeo copy -q oci:oci:multi oci:multi-oci:multi
skopeo copy -q oci:oci:single oci:single-oci:single
skopeo copy -q oci:oci:multi oci-archive:multi-oci.tar:multi
skopeo copy -q oci:oci:multi docker-archive:multi.tar:bench/multi:test
skopeo copy -q oci:oci:single docker-archive:single.tar:bench/single:test
ls -la "$OUT"
