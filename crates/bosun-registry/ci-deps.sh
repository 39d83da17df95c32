#!/usr/bin/env bash
# Tools the real-registry tests need (run as root on Debian 12):
# - docker-registry: the CNCF distribution registry 2.x (/usr/bin/docker-registry), started by
#   the tests on 127.0.0.1 with a config they write;
# - skopeo: pushes the images the tests build (oci:DIR -> docker://127.0.0.1:PORT/...);
# - apache2-utils: htpasswd, to write the bcrypt htpasswd file of the basic-auth tests;
# - openssl: a CA and a certificate for the TLS registry test.
# The tests live in crates/bosun-image/tests/it/registry.rs and crates/bosun-registry/tests/.
set -euo pipefail
need=()
for p in docker-registry skopeo apache2-utils openssl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The package may start a registry service on port 5000; the tests use their own instances.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
  systemctl stop docker-registry || true
fi
