#!/usr/bin/env python3
"""Compare bosun's application packages with syft's and trivy's on the same image.

Usage: bench/compare-lang.py BOSUN_JSON SYFT_JSON TRIVY_CDX_JSON [--list]
  BOSUN_JSON      `bosun sbom --format json`
  SYFT_JSON       `syft scan ... -o syft-json`
  TRIVY_CDX_JSON  `trivy image --format cyclonedx` (trivy's JSON report with --scanners ''
                  leaves out jars: its jar analyzer runs only when vulnerabilities or an SBOM
                  are asked for)

Per ecosystem (npm, pypi, maven, golang, cargo): how many entries each tool reports, how many
distinct (name, version), and every (name, version) one tool has and another has not, with
where the tool found it. Names are normalized: maven `group:artifact` (syft's and trivy's from
the purl), pypi lower case with `-_.` folded to `-`, npm `@scope/name`, go the module path in lower
case (trivy's purls lower-case it).
A maven difference found in the same (nested) archive as a difference of the other tool is
reported apart, as the same archive named otherwise (or with another version). --list prints every location too.
"""
import collections
import json
import re
import sys
import urllib.parse

ECOS = ("npm", "pypi", "maven", "golang", "cargo")


def norm_name(eco, name):
    if eco == "pypi":
        return re.sub(r"[-_.]+", "-", name).lower()
    if eco == "golang":  # trivy's purls lower-case Go module paths
        return name.lower()
    return name


def purl_parts(purl):
    """(type, name with namespace, version) of a purl, or None."""
    if not purl or not purl.startswith("pkg:"):
        return None
    body = purl[4:].split("#", 1)[0].split("?", 1)[0]
    ty, _, rest = body.partition("/")
    path, _, version = rest.rpartition("@")
    if not path:
        path, version = rest, ""
    segs = [urllib.parse.unquote(s) for s in path.split("/")]
    if ty == "maven":
        name = ":".join(segs)
    else:
        name = "/".join(segs)
    return ty, name, urllib.parse.unquote(version)


def outer(loc):
    """The image file a location is in: nested archive paths cut at their first `!` or `:`."""
    loc = "/" + loc.lstrip("/")
    return re.split(r"[!:]", loc, maxsplit=1)[0]


def jar_path(loc):
    """The (nested) archive a maven location is in, written `a.war!/WEB-INF/lib/b.jar`: syft
    writes `a.war:WEB-INF/lib/b.jar` and `a.jar:group:artifact` for a pom.properties inside."""
    loc = "/" + loc.lstrip("/")
    parts = re.split(r"!/|:", loc)
    keep = [parts[0]] + [p for p in parts[1:] if re.search(r"\.(jar|war|ear|par|sar|nar|jpi|hpi)$", p, re.I)]
    return "!/".join(keep)


def load_bosun(path):
    out = []
    for p in json.load(open(path))["packages"]:
        if p["type"] in ECOS:
            locs = p.get("locations") or [""]
            for loc in locs:
                out.append((p["type"], norm_name(p["type"], p["name"]), p["version"], loc))
    return out


SYFT_ECO = {"npm": "npm", "python": "pypi", "java-archive": "maven", "jenkins-plugin": "maven",
            "go-module": "golang", "rust-crate": "cargo"}


def load_syft(path):
    out = []
    for a in json.load(open(path))["artifacts"]:
        eco = SYFT_ECO.get(a["type"])
        if not eco:
            continue
        name = a["name"]
        if eco == "maven":
            pp = purl_parts(a.get("purl"))
            name = pp[1] if pp else name
        vp = (a.get("metadata") or {}).get("virtualPath")
        locs = [vp] if vp else [l["path"] for l in a.get("locations", [])] or [""]
        for loc in locs:
            out.append((eco, norm_name(eco, name), a.get("version", ""), loc))
    return out


def load_trivy_cdx(path):
    out = []
    for c in json.load(open(path)).get("components", []):
        pp = purl_parts(c.get("purl"))
        if not pp or pp[0] not in ECOS:
            continue
        props = {p["name"]: p["value"] for p in c.get("properties", [])}
        loc = props.get("aquasecurity:trivy:FilePath", "")
        out.append((pp[0], norm_name(pp[0], pp[1]), pp[2], loc))
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    full = "--list" in sys.argv
    tools = {"bosun": load_bosun(args[0]), "syft": load_syft(args[1]),
             "trivy": load_trivy_cdx(args[2])}
    where = {t: collections.defaultdict(set) for t in tools}
    for t, recs in tools.items():
        for eco, name, ver, loc in recs:
            where[t][(eco, name, ver)].add(loc)

    print("| ecosystem | bosun entries | syft entries | trivy entries "
          "| bosun name@version | syft name@version | trivy name@version |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for eco in ECOS:
        n = {t: sum(1 for r in recs if r[0] == eco) for t, recs in tools.items()}
        u = {t: sum(1 for k in where[t] if k[0] == eco) for t in tools}
        if any(n.values()):
            print(f"| {eco} | {n['bosun']} | {n['syft']} | {n['trivy']} "
                  f"| {u['bosun']} | {u['syft']} | {u['trivy']} |")
    print("\n(entries: one per package and location as each tool reports them; "
          "name@version: distinct)\n")

    def show(k, t):
        locs = sorted(where[t][k])
        s = ", ".join(locs if full else locs[:2])
        if not full and len(locs) > 2:
            s += f", ... ({len(locs)} locations)"
        return s

    for peer in ("syft", "trivy"):
        for eco in ECOS:
            b = {k for k in where["bosun"] if k[0] == eco}
            o = {k for k in where[peer] if k[0] == eco}
            only_b, only_o = sorted(b - o), sorted(o - b)
            if not only_b and not only_o:
                continue
            renamed = []
            if eco == "maven":  # the same archive named otherwise (or with another version)
                at = collections.defaultdict(list)
                for k in only_o:
                    for loc in where[peer][k]:
                        at[jar_path(loc)].append(k)
                kept_b, used = [], set()
                for k in only_b:
                    m = None
                    for loc in sorted(where["bosun"][k]):
                        cands = [c for c in at.get(jar_path(loc), []) if c not in used]
                        # prefer the same version, then the same artifact id
                        cands.sort(key=lambda c: (c[2] != k[2],
                                                  c[1].split(":")[-1] != k[1].split(":")[-1]))
                        if cands:
                            m = cands[0]
                            break
                    if m:
                        used.add(m)
                        renamed.append((k, m))
                    else:
                        kept_b.append(k)
                only_b = kept_b
                only_o = [k for k in only_o if k not in used]
            print(f"### {eco}: bosun vs {peer}: {len(only_b)} only bosun, {len(only_o)} only "
                  f"{peer}, {len(renamed)} the same archive "
                  f"named otherwise ({sum(1 for a, b in renamed if a[2] != b[2])} with "
                  "another version)\n")
            for k in only_b:
                print(f"- only bosun: {k[1]}@{k[2]} ({show(k, 'bosun')})")
            for k in only_o:
                print(f"- only {peer}: {k[1]}@{k[2]} ({show(k, peer)})")
            for kb, ko in renamed:
                what = "named" if kb[2] == ko[2] else "version"
                print(f"- {what}: bosun {kb[1]}@{kb[2]} = {peer} {ko[1]}@{ko[2]} "
                      f"({show(kb, 'bosun')})")
            print()


if __name__ == "__main__":
    main()
