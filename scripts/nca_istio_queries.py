#!/usr/bin/env python3
"""network-config-analyzer's (NCA) counted Istio queries, asked of `meshproof diff` (docs/peers.md).

The queries are the semanticDiff, equivalence, containment, twoWayContainment, redundancy, emptiness and
vacuity rows of ../shared/docs/semantics/nca-istio-queries.csv; the schemes, policies and topologies are
NCA's test files in ../shared/corpus/nca (PROVENANCE.md there). Each query is mapped to meshproof:

  equivalence A B...     diff A B --expect equivalent per pair (A with each other)   count: pairs not proven
  semanticDiff A B       diff A B -o json                                              count: directions with
                                                                                       classes (newly allowed,
                                                                                       newly denied)
  containment A B        diff A B --expect wider (nothing A allows is denied by B)     1 proven, else 0
  twoWayContainment A B  both containments                                            3 both, 2 A in B, 1 B in
                                                                                       A, 0 neither
  vacuity A...           diff (topology only) A --expect equivalent                    count: configs proven
                                                                                       equivalent to none
  redundancy A           check A: redundant-rule findings                              count
  emptiness A...         check A: selector-matches-nothing findings                    count

A side is a directory with the configuration's policy files (or the one policy a `config/ns/name` entry
names) and the scheme's topology when the corpus has it. Configurations with Sidecar or ServiceEntry
objects ask about egress reachability, which `diff` does not compare: such queries are listed as not
compared, with that reason.

Usage: nca_istio_queries.py MESHPROOF SHARED_DIR [--json FILE]
Prints one line per query (tab-separated: scheme, query, type, NCA expected, meshproof, status, note) and
with --json writes the same rows as a list of objects. Exit 0 unless the inputs are missing (exit 77).
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

import yaml

TYPES = ("semanticDiff", "equivalence", "containment", "twoWayContainment", "redundancy", "emptiness", "vacuity")
EGRESS_KINDS = ("Sidecar", "ServiceEntry")


def load_docs(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json"):
        data = json.loads(text)
        return [data]
    return [d for d in yaml.safe_load_all(text) if d]


def flatten(docs):
    out = []
    for d in docs:
        if isinstance(d, dict) and d.get("kind", "").endswith("List") and "items" in d:
            out.extend(flatten(d["items"]))
        elif isinstance(d, list):
            out.extend(flatten(d))
        elif isinstance(d, dict):
            out.append(d)
    return out


class Scheme:
    def __init__(self, path):
        self.path = path
        self.dir = os.path.dirname(path)
        with open(path, encoding="utf-8") as f:
            self.data = yaml.safe_load(f)
        self.configs = {c["name"]: c for c in self.data.get("networkConfigList", [])}

    def files(self, entries, seen=()):
        """The files of a list of policy/resource entries: file names, directories, or other configurations."""
        out = []
        for e in entries or []:
            if e in self.configs and e not in seen:
                c = self.configs[e]
                out += self.files(c.get("networkPolicyList", []) + c.get("resourceList", []), seen + (e,))
                continue
            p = os.path.normpath(os.path.join(self.dir, e))
            if os.path.isdir(p):
                for root, _, names in sorted(os.walk(p)):
                    out += [os.path.join(root, n) for n in sorted(names) if n.endswith((".yaml", ".yml", ".json"))]
            elif os.path.exists(p):
                out.append(p)
            else:
                raise FileNotFoundError(p)
        return out

    def topology(self):
        out = []
        for key in ("podList", "namespaceList"):
            v = self.data.get(key)
            if not v:
                continue
            p = os.path.normpath(os.path.join(self.dir, v))
            if not os.path.exists(p):
                return None  # NCA's k8s_testcases are not in the corpus
            out += self.files([v])
        for e in self.data.get("resourceList", []) or []:
            if e not in self.configs:
                out += self.files([e])
        return out

    def objects(self, config_ref):
        """The objects of `config` or of the one policy `config/ns/name`, and the topology's."""
        parts = config_ref.split("/")
        name = parts[0]
        if name not in self.configs:
            raise KeyError("configuration " + name + " not in " + self.path)
        c = self.configs[name]
        objs = flatten(sum((load_docs(f) for f in self.files(c.get("networkPolicyList", []) + c.get("resourceList", []))), []))
        if len(parts) == 3:
            objs = [o for o in objs if o.get("kind") not in ("AuthorizationPolicy", "NetworkPolicy") or
                    (o.get("metadata", {}).get("namespace", "default") == parts[1] and o["metadata"].get("name") == parts[2])]
        return objs


def audit_only(o):
    if o.get("kind") != "AuthorizationPolicy":
        return o
    o = json.loads(json.dumps(o))
    spec = o.setdefault("spec", {}) or {}
    o["spec"] = spec
    spec["action"] = "AUDIT"
    spec.pop("provider", None)
    return o


def write_side(dirname, objs, topology):
    os.makedirs(dirname, exist_ok=True)
    keep = []
    for o in objs:
        if o.get("kind") in ("Namespace",) and not o.get("metadata"):
            continue
        keep.append(o)
    with open(os.path.join(dirname, "policies.yaml"), "w", encoding="utf-8") as f:
        yaml.safe_dump_all(keep, f, sort_keys=False)
    for i, t in enumerate(topology or []):
        objs = [o for o in flatten(load_docs(t)) if isinstance(o, dict) and o.get("kind")]
        with open(os.path.join(dirname, "topology-%d.yaml" % i), "w", encoding="utf-8") as f:
            yaml.safe_dump_all(objs, f, sort_keys=False)


def run(meshproof, args):
    p = subprocess.run([meshproof] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


def diff_expect(meshproof, a, b, claim):
    code, _, err = run(meshproof, ["diff", a, b, "--no-findings", "--allow-empty", "--expect", claim, "-o", "json"])
    if code not in (0, 1):
        raise RuntimeError("diff exit %d: %s" % (code, err.strip()[:200]))
    return code == 0


def diff_directions(meshproof, a, b):
    code, out, err = run(meshproof, ["diff", a, b, "--no-findings", "-o", "json"])
    if code not in (0, 1):
        raise RuntimeError("diff exit %d: %s" % (code, err.strip()[:200]))
    s = json.loads(out)["summary"]
    return int(s.get("newly_allowed", 0) > 0) + int(s.get("newly_denied", 0) > 0)


def findings(meshproof, a, check):
    code, out, err = run(meshproof, ["check", a, "--check", check, "-o", "json"])
    if code not in (0, 1):
        raise RuntimeError("check exit %d: %s" % (code, err.strip()[:200]))
    return [f for f in json.loads(out)["findings"] if f["check"] == check and "suppression" not in f]


def answer(meshproof, qtype, sides, empty):
    if qtype == "equivalence":
        return sum(0 if diff_expect(meshproof, sides[0], s, "equivalent") else 1 for s in sides[1:])
    if qtype == "semanticDiff":
        return diff_directions(meshproof, sides[0], sides[1])
    if qtype == "containment":
        return 1 if diff_expect(meshproof, sides[0], sides[1], "wider") else 0
    if qtype == "twoWayContainment":
        a_in_b = diff_expect(meshproof, sides[0], sides[1], "wider")
        b_in_a = diff_expect(meshproof, sides[0], sides[1], "narrower")
        return 3 if a_in_b and b_in_a else 2 if a_in_b else 1 if b_in_a else 0
    if qtype == "vacuity":
        return sum(1 for s, e in zip(sides, empty) if diff_expect(meshproof, e, s, "equivalent"))
    if qtype == "redundancy":
        return sum(len(findings(meshproof, s, "redundant-rule")) for s in sides)
    if qtype == "emptiness":
        return sum(len(findings(meshproof, s, "selector-matches-nothing")) for s in sides)
    raise ValueError(qtype)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    meshproof, shared = sys.argv[1], sys.argv[2]
    out_json = sys.argv[sys.argv.index("--json") + 1] if "--json" in sys.argv else None
    csv_path = os.path.join(shared, "docs", "semantics", "nca-istio-queries.csv")
    corpus = os.path.join(shared, "corpus", "nca")
    if not os.path.exists(csv_path) or not os.path.isdir(corpus):
        print("skipped: " + csv_path + " or " + corpus + " is not present", file=sys.stderr)
        return 77
    rows = []
    with open(csv_path, encoding="utf-8") as f:
        queries = [r for r in csv.DictReader(f) if r["query_type"] in TYPES]
    work = tempfile.mkdtemp(prefix="meshproof-nca-")
    for n, q in enumerate(queries):
        row = {"scheme": q["scheme_file"].replace("tests/istio_testcases/", ""), "query": q["query_name"],
               "type": q["query_type"], "nca": q["expected"], "meshproof": "", "status": "", "note": ""}
        rows.append(row)
        try:
            scheme = Scheme(os.path.join(corpus, q["scheme_file"]))
            refs = q["config_sets"].split(";")
            topology = scheme.topology()
            objs = [scheme.objects(r) for r in refs]
            kinds = sorted({o.get("kind") for os_ in objs for o in os_ if o.get("kind") in EGRESS_KINDS})
            if kinds:
                row["status"] = "not compared"
                row["note"] = "the configurations differ in %s (egress reachability); diff compares inbound decisions" % "/".join(kinds)
                continue
            sides = []
            for i, o in enumerate(objs):
                d = os.path.join(work, "%d-%d" % (n, i))
                write_side(d, o, topology)
                sides.append(d)
            # "no policy" with the same workloads: every AuthorizationPolicy turned into AUDIT, which decides
            # nothing (the selectors' workloads stay, as they do without a topology)
            empty = []
            for i, o in enumerate(objs):
                d = os.path.join(work, "%d-%d-none" % (n, i))
                write_side(d, [audit_only(x) for x in o], topology)
                empty.append(d)
            if topology is None:
                row["note"] = "NCA's topology (k8s_testcases) is not in the corpus: meshproof reasons over the selectors' workloads"
            got = answer(meshproof, q["query_type"], sides, empty)
            row["meshproof"] = str(got)
            if q["expected"] == "":
                row["status"] = "no NCA count"
            else:
                row["status"] = "agree" if int(q["expected"]) == got else "differ"
        except (RuntimeError, KeyError, OSError, ValueError, yaml.YAMLError) as e:
            row["status"] = "error"
            row["note"] = str(e)
    for r in rows:
        print("\t".join([r["scheme"], r["query"], r["type"], r["nca"], r["meshproof"], r["status"], r["note"]]))
    if out_json:
        with open(out_json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
