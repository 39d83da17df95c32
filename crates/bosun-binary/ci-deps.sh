# Tools bosun-binary's tests use as oracles (Debian 12, run as root by .ci/run; idempotent).
# python3 and node: real interpreters, classified and checked against the version they report.
# readelf (binutils), ldd and ldconfig (libc-bin), curl: the link graph's oracles and a program
# with many libraries to resolve.
# Tests skip without them, and fail instead when BOSUN_REQUIRE_TOOLS=1.
if ! command -v node >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1 \
    || ! command -v readelf >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs python3 binutils curl >/dev/null
fi
