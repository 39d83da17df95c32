# Tools bosun-lang's tests use as oracles (Debian 12, run as root by .ci/run; idempotent).
# npm: `npm ls --package-lock-only` reads package-lock.json offline.
# python3: its `email` parser reads Python METADATA headers.
# Tests skip without them, and fail instead when BOSUN_REQUIRE_TOOLS=1.
if ! command -v npm >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm python3 >/dev/null
fi
