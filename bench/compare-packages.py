#!/usr/bin/env python3
"""Compare bosun's package list with syft's and trivy's on the same image.

Usage: bench/compare-packages.py BOSUN_BIN PEERS_BIN_DIR SOURCE_KIND PATH
Prints counts and every (name, version) that one tool reports and another does not.
"""
import json
import os
import subprocess
import sys
import tempfile

bosun, peers, kind, path = sys.argv[1:5]
env = dict(os.environ, SYFT_CHECK_FOR_APP_UPDATE="false")

with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "o.json")
    subprocess.run([bosun, "sbom", "-q", "-o", out, f"{kind}:{path}"], check=True)
    b = {(p["name"], p["version"]) for p in json.load(open(out))["packages"]}

    subprocess.run([f"{peers}/syft", "scan", f"{kind}:{path}", "-q", "-o", f"syft-json={out}"],
                   check=True, env=env)
    s = {(a["name"], a["version"]) for a in json.load(open(out))["artifacts"]
         if a["type"] in ("deb", "apk", "rpm")}

    subprocess.run([f"{peers}/trivy", "image", "--input", path, "--cache-backend", "memory",
                    "--scanners", "", "--list-all-pkgs", "--format", "json", "-o", out,
                    "--quiet"], check=True, env=dict(env, TRIVY_CACHE_DIR=tmp))
    t = set()
    for r in json.load(open(out)).get("Results", []):
        if r.get("Class") != "os-pkgs":
            continue
        for p in r.get("Packages", []):
            v = p["Version"] + (("-" + p["Release"]) if p.get("Release") else "")
            if p.get("Epoch"):
                v = f'{p["Epoch"]}:{v}'
            t.add((p["Name"], v))

print(f"{path}: bosun {len(b)}, syft {len(s)}, trivy {len(t)} OS packages")
for name, other in (("syft", s), ("trivy", t)):
    for x in sorted(b - other):
        print(f"  only bosun (not {name}): {x}")
    for x in sorted(other - b):
        print(f"  only {name}: {x}")
