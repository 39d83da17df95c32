#!/usr/bin/env bash
# Build the application-dependency benchmark image without Docker (needs root, npm with the
# npm registry, pip with PyPI, apt-get with a Debian bookworm mirror, zip and python3).
# Usage: bench/make-lang-image.sh [OUT]   (default ${TMPDIR:-/tmp}/bosun-bench-lang)
# Writes OUT/lang.tar, a docker-archive with four layers:
#   1. base    a bookworm minbase rootfs (BASE_ROOTFS, default the `base` of make-images.sh
#              if present, else a tiny rootfs holding only os-release and an empty dpkg status)
#   2. node    /app: `npm install` of a web app with its build/test tool chain (dev deps too)
#   3. python  `pip install --target /usr/local/lib/python3.11/site-packages` of a few packages
#   4. java    the jars of Debian Java library packages copied to /opt/app/lib (NOT registered
#              in dpkg: application jars), a WAR (WEB-INF/lib), an EAR holding that WAR, a
#              Spring-Boot-style fat jar (BOOT-INF/lib), and GO_BIN (optional, any Go binary
#              built with modules) as /usr/local/bin/
# Steps are cached under OUT (delete OUT/<step> to redo one); the image is rebuilt each run.
set -euo pipefail
OUT="${1:-${TMPDIR:-/tmp}/bosun-bench-lang}"
BASE_ROOTFS="${BASE_ROOTFS:-${TMPDIR:-/tmp}/bosun-bench/base}"
GO_BIN="${GO_BIN:-}"
mkdir -p "$OUT"; OUT="$(cd "$OUT" && pwd)"; cd "$OUT"

# ---- 1. base
if [ ! -d base ]; then
  rm -rf base.tmp; mkdir -p base.tmp
  if [ -x "$BASE_ROOTFS/bin/sh" ]; then
    cp -a "$BASE_ROOTFS/." base.tmp/
  else
    mkdir -p base.tmp/etc base.tmp/var/lib/dpkg base.tmp/usr/lib
    cp /etc/os-release base.tmp/usr/lib/os-release; ln -s ../usr/lib/os-release base.tmp/etc/os-release
    : > base.tmp/var/lib/dpkg/status
  fi
  mv base.tmp base
fi

# ---- 2. node: a web app (runtime deps) with its build and test tool chain (dev deps)
if [ ! -d node ]; then
  rm -rf node.tmp; mkdir -p node.tmp/app
  cat > node.tmp/app/package.json <<'EOF'
{
  "name": "bench-shop",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    "express": "4.18.2", "lodash": "4.17.21", "react": "18.2.0", "react-dom": "18.2.0",
    "axios": "1.6.0", "moment": "2.29.4", "mongoose": "7.6.3", "jsonwebtoken": "9.0.2",
    "body-parser": "1.20.2", "socket.io": "4.7.2", "minimist": "1.2.8", "uuid": "9.0.1",
    "handlebars": "4.7.8", "pg": "8.11.3", "redis": "4.6.10", "winston": "3.11.0"
  },
  "devDependencies": {
    "webpack": "5.89.0", "webpack-cli": "5.1.4", "typescript": "5.2.2", "eslint": "8.53.0",
    "jest": "29.7.0", "@babel/core": "7.23.2", "@babel/preset-env": "7.23.2",
    "babel-loader": "9.1.3", "ts-node": "10.9.1", "nodemon": "3.0.1", "mocha": "10.2.0",
    "prettier": "3.0.3"
  }
}
EOF
  (cd node.tmp/app && npm install --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
  rm -rf node.tmp/app/node_modules/.cache
  mv node.tmp node
fi

# ---- 3. python
if [ ! -d python ]; then
  rm -rf python.tmp; mkdir -p python.tmp/usr/local/lib/python3.11/site-packages
  pip3 install -q --disable-pip-version-check --no-compile --no-deps \
    --target python.tmp/usr/local/lib/python3.11/site-packages \
    --only-binary=:all: --platform manylinux2014_x86_64 --python-version 3.11 --implementation cp \
    flask==3.0.0 werkzeug==3.0.1 jinja2==3.1.2 markupsafe==2.1.3 itsdangerous==2.1.2 \
    click==8.1.7 blinker==1.7.0 requests==2.31.0 urllib3==2.0.7 idna==3.4 \
    certifi==2023.7.22 charset-normalizer==3.3.2 django==4.2.7 asgiref==3.7.2 \
    sqlparse==0.4.4 sqlalchemy==2.0.23 greenlet==3.0.1 typing-extensions==4.8.0 \
    pyyaml==6.0.1 cryptography==41.0.5 cffi==1.16.0 pycparser==2.21 pydantic==2.4.2 \
    pydantic-core==2.10.1 annotated-types==0.6.0 gunicorn==21.2.0 packaging==23.2
  mv python.tmp python
fi

# ---- 4. java: jars from Debian packages, not registered in dpkg
JAVA_DEBS="libjackson2-annotations-java libjackson2-core-java libjackson2-databind-java
  libguava-java liblog4j2-java libslf4j-java libcommons-lang3-java libcommons-io-java
  libcommons-collections4-java libcommons-codec-java libcommons-compress-java
  libspring-core-java libspring-beans-java libspring-context-java libspring-web-java
  libtomcat10-java libjetty9-java libjetty9-extra-java ant libmaven3-core-java libecj-java
  libbatik-java libicu4j-java libbcprov-java libbcpkix-java groovy jruby jython
  scala-library libxerces2-java libxalan2-java liblucene4.10-java libnetty-java libh2-java
  libhsqldb-java libderby-java libpdfbox2-java libapache-poi-java libtrove3-java
  libfastutil-java libeclipse-jdt-core-java libopenjfx-java libclojure-java
  libgoogle-gson-java libsnappy-java libhttpclient-java libhttpcore-java libjna-java
  libasm-java libfop-java libitext-java libxmlgraphics-commons-java libjsoup-java
  libjoda-time-java libmockito-java junit4 libhamcrest-java libaxis-java libzookeeper-java
  libprotobuf-java liblz4-java libnb-platform18-java libsaxonhe-java libgradle-core-java
  libwildfly-common-java libhibernate-validator-java"
if [ ! -d java ]; then
  rm -rf java.tmp debs.tmp; mkdir -p java.tmp/opt/app/lib debs.tmp
  # shellcheck disable=SC2086 # a word list
  (cd debs.tmp && apt-get download -qq $JAVA_DEBS >/dev/null)
  for deb in debs.tmp/*.deb; do
    pkg="$(dpkg-deb -f "$deb" Package)"
    x="debs.tmp/x.$pkg"; dpkg-deb -x "$deb" "$x"
    # Regular files only (Debian's versionless names are symlinks); keep the file's name,
    # under a per-package directory when the name is taken.
    find "$x" -type f \( -name '*.jar' -o -name '*.war' \) -print0 |
      while IFS= read -r -d '' j; do
        b="$(basename "$j")"
        if [ -e "java.tmp/opt/app/lib/$b" ]; then
          mkdir -p "java.tmp/opt/app/lib/$pkg"; cp "$j" "java.tmp/opt/app/lib/$pkg/$b"
        else
          cp "$j" "java.tmp/opt/app/lib/$b"
        fi
      done
    rm -rf "$x"
  done
  rm -rf debs.tmp
  lib="$OUT/java.tmp/opt/app/lib"
  pick() { # the first regular jar under lib whose name starts with $1
    find "$lib" -maxdepth 1 -type f -name "$1*.jar" | sort | head -n 1; }
  w="$OUT/java.tmp/war"; mkdir -p "$w/WEB-INF/lib" "$w/WEB-INF/classes/com/example/shop" "$w/META-INF"
  for a in spring-core spring-beans spring-context spring-web jackson-core jackson-databind \
           jackson-annotations log4j-api log4j-core commons-lang3 commons-io guava; do
    j="$(pick "$a")"; [ -n "$j" ] && cp "$j" "$w/WEB-INF/lib/"
  done
  printf 'Manifest-Version: 1.0\nImplementation-Title: shop\nImplementation-Version: 2.3.1\n' \
    > "$w/META-INF/MANIFEST.MF"
  printf 'class placeholder\n' > "$w/WEB-INF/classes/com/example/shop/App.class"
  mkdir -p "$OUT/java.tmp/opt/app/webapps"
  (cd "$w" && zip -q -r -0 "$OUT/java.tmp/opt/app/webapps/shop.war" META-INF WEB-INF)
  # An EAR holding the WAR (two levels of nesting: ear > war > jar).
  e="$OUT/java.tmp/ear"; mkdir -p "$e/META-INF"
  cp "$OUT/java.tmp/opt/app/webapps/shop.war" "$e/"
  printf 'Manifest-Version: 1.0\nImplementation-Title: shop-ear\nImplementation-Version: 2.3.1\n' \
    > "$e/META-INF/MANIFEST.MF"
  (cd "$e" && zip -q -r "$OUT/java.tmp/opt/app/webapps/shop.ear" META-INF shop.war)
  # A Spring-Boot-style fat jar with its own pom.properties and BOOT-INF/lib.
  f="$OUT/java.tmp/fat"; mkdir -p "$f/BOOT-INF/lib" "$f/META-INF/maven/com.example/orders"
  for a in jackson-databind jackson-core netty snakeyaml h2 slf4j-api gson httpclient httpcore; do
    j="$(pick "$a")"; [ -n "$j" ] && cp "$j" "$f/BOOT-INF/lib/"
  done
  printf 'Manifest-Version: 1.0\nMain-Class: org.springframework.boot.loader.JarLauncher\nStart-Class: com.example.orders.App\nImplementation-Title: orders\nImplementation-Version: 0.9.0\n' \
    > "$f/META-INF/MANIFEST.MF"
  printf 'groupId=com.example\nartifactId=orders\nversion=0.9.0\n' \
    > "$f/META-INF/maven/com.example/orders/pom.properties"
  (cd "$f" && zip -q -r -0 "$OUT/java.tmp/opt/app/orders.jar" META-INF BOOT-INF)
  rm -rf "$w" "$e" "$f"
  if [ -n "$GO_BIN" ]; then
    mkdir -p java.tmp/usr/local/bin; cp "$GO_BIN" java.tmp/usr/local/bin/
  fi
  mv java.tmp java
fi

# ---- the docker-archive: one uncompressed tar per layer, config and manifest by hand
rm -rf img; mkdir -p img
for l in base node python java; do
  tar -C "$l" --numeric-owner --owner=0 --group=0 --sort=name --mtime=@1700000000 -cf "img/$l.tar" .
done
python3 - "$OUT/img" <<'EOF'
import hashlib, json, os, sys
d = sys.argv[1]
layers = ["base", "node", "python", "java"]
def sha(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()
ids = ["sha256:" + sha(os.path.join(d, l + ".tar")) for l in layers]
cfg = {"architecture": "amd64", "os": "linux", "created": "2023-11-14T22:13:20Z",
       "config": {"Cmd": ["node", "/app/server.js"], "Env": ["PATH=/usr/local/bin:/usr/bin:/bin"]},
       "rootfs": {"type": "layers", "diff_ids": ids},
       "history": [{"created": "2023-11-14T22:13:20Z", "created_by": l} for l in layers]}
raw = json.dumps(cfg).encode()
name = hashlib.sha256(raw).hexdigest() + ".json"
open(os.path.join(d, name), "wb").write(raw)
json.dump([{"Config": name, "RepoTags": ["bench/lang:test"],
            "Layers": [l + ".tar" for l in layers]}], open(os.path.join(d, "manifest.json"), "w"))
EOF
(cd img && tar --numeric-owner --owner=0 --group=0 -cf "$OUT/lang.tar.tmp" -- *)
mv lang.tar.tmp lang.tar; rm -rf img
echo "node_modules files: $(find node/app/node_modules -type f | wc -l)"
echo "jars/wars: $(find java -type f \( -name '*.jar' -o -name '*.war' -o -name '*.ear' \) | wc -l), $(du -sh java/opt/app | cut -f1)"
ls -la "$OUT/lang.tar"
