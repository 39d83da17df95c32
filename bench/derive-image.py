#!/usr/bin/env python3
"""Derive an OCI layout from another by adding one small gzip layer on top.

Usage: bench/derive-image.py SRC_OCI_DIR DST_OCI_DIR [REF_NAME=derived]

The new image shares every layer blob of the source (same digests), so a registry push
and a scanner's layer cache see them as the same layers; only the new layer (one small
file under /etc), the config (one more rootfs.diff_ids entry and history entry), the
manifest and the index differ. Deterministic: same input, same output digests.
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile


def put_blob(dst, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(dst, "blobs", "sha256", digest)
    with open(path, "wb") as f:
        f.write(data)
    return "sha256:" + digest


def read_blob(src, digest):
    algo, hexd = digest.split(":", 1)
    with open(os.path.join(src, "blobs", algo, hexd), "rb") as f:
        return f.read()


def new_layer():
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        body = b"bosun bench: derived image layer\n"
        info = tarfile.TarInfo("etc/bosun-bench-derived")
        info.size = len(body)
        info.mode = 0o644
        info.mtime = 0
        tar.addfile(info, io.BytesIO(body))
    uncompressed = raw.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0) as g:
        g.write(uncompressed)
    return uncompressed, gz.getvalue()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    ref = sys.argv[3] if len(sys.argv) > 3 else "derived"
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)

    with open(os.path.join(src, "index.json")) as f:
        index = json.load(f)
    mdesc = index["manifests"][0]
    manifest = json.loads(read_blob(src, mdesc["digest"]))
    config = json.loads(read_blob(src, manifest["config"]["digest"]))

    uncompressed, compressed = new_layer()
    diff_id = "sha256:" + hashlib.sha256(uncompressed).hexdigest()
    layer_digest = put_blob(dst, compressed)

    config["rootfs"]["diff_ids"].append(diff_id)
    config.setdefault("history", []).append(
        {"created": "1970-01-01T00:00:00Z", "created_by": "bench/derive-image.py: add one file"}
    )
    config_bytes = json.dumps(config, separators=(",", ":")).encode()
    manifest["config"]["digest"] = put_blob(dst, config_bytes)
    manifest["config"]["size"] = len(config_bytes)
    manifest["layers"].append(
        {
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": layer_digest,
            "size": len(compressed),
        }
    )
    manifest_bytes = json.dumps(manifest, separators=(",", ":")).encode()
    index["manifests"] = [
        {
            "mediaType": mdesc.get("mediaType", "application/vnd.oci.image.manifest.v1+json"),
            "digest": put_blob(dst, manifest_bytes),
            "size": len(manifest_bytes),
            "annotations": {"org.opencontainers.image.ref.name": ref},
        }
    ]
    with open(os.path.join(dst, "index.json"), "w") as f:
        json.dump(index, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
