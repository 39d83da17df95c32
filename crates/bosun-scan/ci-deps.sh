# bosun-scan's link-graph tests compile tiny ELF programs and libraries with the system C
# compiler (Debian 12, run as root by .ci/run; idempotent). Without it they skip, and fail
# under BOSUN_REQUIRE_TESTDATA=1.
command -v cc >/dev/null 2>&1 || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev >/dev/null; }
