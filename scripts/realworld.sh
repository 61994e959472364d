#!/usr/bin/env bash
# Run `meshproof check -o json` over the real-world corpus (../shared/corpus/realworld, see its
# PROVENANCE.md) and print Markdown tables (docs/realworld.md explains them).
#
#   scripts/realworld.sh [MESHPROOF] [CORPUS]   # defaults: build/meshproof, ../shared/corpus/realworld
#
# Environment:
#   MODE=repo (default)  one run per repository folder (the two Linkerd folders under _linkerd/ separately);
#                        files that are not YAML are left out and reported by meshproof itself (exit 2, JSON
#                        input_errors) and the rest of the folder is analyzed; when a run exits 2 without
#                        output (nothing readable), one more run over the folder's other files.
#   MODE=dir             one run per directory that holds YAML files (its own files only, not subfolders),
#                        summed per repository folder: related files stay together, unrelated test cases and
#                        documentation snippets of other directories do not interfere.
#   MODE=file            one run per file, summed per repository folder.
#   KEEP=DIR             keep every run's JSON output and stderr in DIR.
#   TIMEOUT=SECONDS      per-run limit (default 300; a run that hits it counts as exit 124).
#   REGULATED=all        also treat every namespace the files name (`namespace: x` lines, plus default and
#                        istio-system) as regulated, so that the regulated-only checks (mtls-not-strict,
#                        no-default-deny, parts of overly-permissive-rule) run too; the corpus labels none.
#
# Exit status: 1 when a run exits 3 (internal error) or 124 (timeout), or a finding says its proof was
# inconclusive (property inconclusive: "true"); 0 otherwise. Exit 2 is listed, with its first message
# line, but is not a failure: the corpus holds files that are genuinely not YAML (PROVENANCE.md).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build/meshproof}
corpus=${2:-$here/../shared/corpus/realworld}
if [ ! -x "$bin" ]; then echo "realworld.sh: no meshproof binary at $bin (build it, or pass its path)" >&2; exit 2; fi
if [ ! -d "$corpus" ]; then echo "skipped: $corpus is not present" >&2; exit 0; fi
exec python3 - "$bin" "$corpus" "${MODE:-repo}" "${TIMEOUT:-300}" "${KEEP:-}" "${REGULATED:-}" <<'EOF'
import collections, json, os, re, subprocess, sys, time

binary, corpus, mode, limit, keep = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3], float(sys.argv[4]), sys.argv[5]
regulate_all = sys.argv[6] == "all"
EXTS = (".yaml", ".yml", ".json")
NS_LINE = re.compile(r'^\s+namespace:\s*["\']?([a-z0-9]([-a-z0-9]*[a-z0-9])?)["\']?\s*$', re.M)

def regulated_args(paths):
    if not regulate_all:
        return []
    names = {"default", "istio-system"}
    for p in paths:
        for f in (yaml_files(p) if os.path.isdir(p) else [p]):
            try:
                names.update(m.group(1) for m in NS_LINE.finditer(open(f, encoding="utf-8", errors="replace").read()))
            except OSError:
                pass
    return [a for n in sorted(names) for a in ("--regulated", n)]

def folders():
    out = []
    for name in sorted(os.listdir(corpus)):
        path = os.path.join(corpus, name)
        if not os.path.isdir(path):
            continue
        if name == "_linkerd":
            out += [os.path.join(name, s) for s in sorted(os.listdir(path)) if os.path.isdir(os.path.join(path, s))]
        else:
            out.append(name)
    return out

def yaml_files(root, recursive=True):
    found = []
    for d, subdirs, files in os.walk(root):
        subdirs[:] = sorted(s for s in subdirs if not s.startswith("."))
        found += [os.path.join(d, f) for f in sorted(files) if f.endswith(EXTS) and not f.startswith(".")]
        if not recursive:
            break
    return found

runs = 0
def run(paths, label):
    """One meshproof run; returns (rc, seconds, parsed JSON or None, first stderr line)."""
    global runs
    runs += 1
    start = time.monotonic()
    try:
        p = subprocess.run([binary, "check", *paths, "-o", "json", *regulated_args(paths)], capture_output=True,
                           text=True, timeout=limit)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        rc, out, err = 124, "", "timed out after %gs" % limit
    secs = time.monotonic() - start
    if keep:
        os.makedirs(keep, exist_ok=True)
        key = "%s.%04d" % (label.replace("/", "_"), runs)
        open(os.path.join(keep, key + ".json"), "w").write(out)
        open(os.path.join(keep, key + ".stderr"), "w").write(" ".join(paths) + "\n" + err)
    try:
        doc = json.loads(out) if out.strip() else None
    except ValueError:
        doc = None
    first = next((l for l in err.splitlines() if l.strip()), "")
    return rc, secs, doc, first.replace(corpus + "/", "")

def by_check(doc, counter):
    for f in doc["findings"]:
        counter[f["check"]] += 1

def inconclusive(doc):
    return sum(1 for f in doc["findings"] if f.get("properties", {}).get("inconclusive") == "true")

def fmt_checks(counter):
    return ", ".join("%s %d" % kv for kv in sorted(counter.items())) or "none"

failed = False
if mode == "repo":
    print("| folder | exit | time (s) | files | resources | workloads | policies | errors | warnings | notes | inconclusive | findings by check |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in folders():
        root = os.path.join(corpus, name)
        rows = [(name, [root])]
        rc, secs, doc, first = run([root], name)
        skipped = []
        while rc == 2 and doc is None and len(skipped) < 20:
            # Unreadable input: say which file, then analyze the rest of the folder without it.
            print("| %s | 2 | %.2f | | | | | | | | | %s |" % (rows[-1][0], secs, first.replace("|", "/")))
            bad = first.split(":")[0]
            if not bad or not os.path.isfile(os.path.join(corpus, bad)):
                break
            skipped.append(os.path.join(corpus, bad))
            rest = [f for f in yaml_files(root) if f not in skipped]
            rows.append(("%s (without %d unreadable file%s)" % (name, len(skipped), "s" if len(skipped) > 1 else ""), rest))
            rc, secs, doc, first = run(rest, name)
        if rc == 2 and doc is None:
            continue
        if rc in (3, 124) or doc is None:
            failed = True
            print("| %s | %d | %.2f | | | | | | | | | %s |" % (rows[-1][0], rc, secs, first.replace("|", "/")))
            continue
        s, counter = doc["summary"], collections.Counter()
        by_check(doc, counter)
        inc = inconclusive(doc)
        failed |= inc > 0
        # Files left out because they are not YAML (documentation snippets): the rest was analyzed (exit 2).
        left_out = len({e["location"]["file"] for e in doc.get("input_errors", [])})
        name_shown = rows[-1][0] + (" (%d unreadable file%s left out)" % (left_out, "s" if left_out > 1 else "")
                                    if left_out else "")
        print("| %s | %d | %.2f | %d | %d | %d | %d | %d | %d | %d | %d | %s |" % (
            name_shown, rc, secs, s["files"], s["resources"], s["workloads"], s["policies"],
            s["errors"], s["warnings"], s["notes"], inc, fmt_checks(counter)))
else:
    unit = "directory" if mode == "dir" else "file"
    print("| folder | runs (one per %s) | exit 0/1/2/3 | slowest run (s) | files | resources | inconclusive | findings by check |" % unit)
    print("|---|---|---|---|---|---|---|---|")
    for name in folders():
        root = os.path.join(corpus, name)
        if mode == "dir":
            groups = []
            for d, subdirs, files in os.walk(root):
                subdirs.sort()
                fs = yaml_files(d, recursive=False)
                if fs:
                    groups.append(fs)
        else:
            groups = [[f] for f in yaml_files(root)]
        codes, slow, files, resources, inc, counter, notes = collections.Counter(), 0.0, 0, 0, 0, collections.Counter(), []
        for paths in groups:
            rc, secs, doc, first = run(paths, name)
            codes[rc] += 1
            slow = max(slow, secs)
            if rc in (3, 124):
                failed = True
                notes.append("exit %d: %s" % (rc, first))
            if doc is None:
                continue
            files += doc["summary"]["files"]
            resources += doc["summary"]["resources"]
            inc += inconclusive(doc)
            by_check(doc, counter)
        failed |= inc > 0
        extra = "; ".join(notes)
        print("| %s | %d | %d/%d/%d/%d%s | %.2f | %d | %d | %d | %s%s |" % (
            name, len(groups), codes[0], codes[1], codes[2], codes[3],
            (" (+%d timed out)" % codes[124]) if codes[124] else "", slow, files, resources, inc,
            fmt_checks(counter), (" " + extra.replace("|", "/")) if extra else ""))
sys.exit(1 if failed else 0)
EOF
