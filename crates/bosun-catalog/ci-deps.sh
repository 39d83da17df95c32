# bosun-catalog tests use dpkg-query as the independent oracle for dpkg status files.
# dpkg is Essential on Debian, so this is normally a no-op.
command -v dpkg-query >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq dpkg >/dev/null; }
