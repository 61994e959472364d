#!/usr/bin/env python3
"""The hostile-input table of docs/robustness.md: generates each attack input into a temporary directory,
runs `meshproof check` on it, and records the first line of its message, the exit code, the peak RSS and the
wall time.

  hostile_inputs.py [--binary build/meshproof]            print the table
  hostile_inputs.py --write                               replace the table in docs/robustness.md
  hostile_inputs.py --check                               assert each row (a ctest test, label "robustness")

--check fails when a run's exit code is not the one the row expects (DESIGN.md §10: a problem with the
input or the environment is exit code 2, with file:line:column where one exists; what Kubernetes accepts,
such as a byte order mark or CRLF line ends, loads and exits per its findings), when a run crashed (a signal,
or exit code 3: an internal error), or when it went over its memory or time bound.
"""
import argparse
import os
import pathlib
import re
import resource
import stat
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "robustness.md"
BEGIN = "<!-- hostile-inputs:begin (scripts/hostile_inputs.py --write) -->"
END = "<!-- hostile-inputs:end -->"
MIB = 1 << 20
SANITIZED_SCALE = 4  # ASan's shadow memory and checks: about 2-3x the memory and 2-5x the time

# A small manifest with no finding: a namespace, a workload in the mesh (its pod asks for a sidecar) and an
# ALLOW policy for it (exit code 0).
PLAIN = """apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api, sidecar.istio.io/inject: "true"}
    spec:
      serviceAccountName: api
      containers:
      - name: api
        image: api:1
        ports:
        - containerPort: 8080
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-web
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/shop/sa/web"]
    to:
    - operation:
        methods: ["GET"]
        paths: ["/api/*"]
"""


def policy(spec_rules):
    """An AuthorizationPolicy for shop/api with the given `rules:` block (indented YAML text)."""
    return PLAIN.split("  rules:\n")[0] + "  rules:\n" + spec_rules


class Case:
    """One row: `make(dir)` writes the input and returns the arguments after `check` and how to run it."""

    # Bounds: peak RSS in MiB and CPU time in seconds (CPU, not wall time: CI machines are shared; the
    # sanitizer build runs the same rows, about 3x slower and larger).
    def __init__(self, name, attack, expect, make, rss_mib=400, seconds=20, stdin=None, stdout=None, user=None):
        self.name, self.attack, self.expect, self.make = name, attack, expect, make
        self.rss_mib, self.seconds = rss_mib, seconds
        self.stdin, self.stdout, self.user = stdin, stdout, user


def write(d, name, data, mode="w"):
    path = d / name
    with open(path, mode) as f:
        f.write(data)
    return str(path)


def alias_bomb(d):
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    return [write(d, "bomb.yaml", "\n".join(lines) + "\n")]


def deep_flow(d):
    return [write(d, "deep.yaml", "a: " + "[" * 100000 + "]" * 100000 + "\n")]


def deep_block(d):
    return [write(d, "deep.yaml", "".join("  " * i + f"k{i}:\n" for i in range(2000)) + "  " * 2000 + "v\n")]


def huge_scalar(d):
    big = "x" * (16 * MIB)
    text = PLAIN.replace("  name: shop\n", f"  name: shop\n  annotations:\n    note: {big}\n", 1)
    return [write(d, "big.yaml", text)]


def huge_file(d):
    path = d / "huge.yaml"
    with open(path, "w") as f:
        f.truncate(65 * MIB)  # sparse: refused by its size before it is read
    return [str(path)]


def many_documents(d):
    docs = "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n  namespace: shop\n"
                   for i in range(20000))
    return [write(d, "many.yaml", PLAIN + docs)]


def many_keys(d):
    labels = "".join(f"    k{i}: v\n" for i in range(100000))
    return [write(d, "keys.yaml", PLAIN.replace("  name: shop\n", "  name: shop\n  labels:\n" + labels, 1))]


def too_many_nodes(d):
    return [write(d, "nodes.yaml", "a: [" + ",".join(["0"] * (1100000)) + "]\n")]


def nul_byte(d):
    return [write(d, "nul.yaml", PLAIN.replace("name: allow-web", 'name: "allow\0web"'))]


def invalid_utf8(d):
    return [write(d, "latin1.yaml", PLAIN.replace("name: allow-web", "name: caf\u00e9").encode("latin-1"), "wb")]


def bom_utf8(d):
    return [write(d, "bom8.yaml", b"\xef\xbb\xbf" + PLAIN.encode(), "wb")]


def bom_utf16le(d):
    return [write(d, "bom16le.yaml", PLAIN.encode("utf-16"), "wb")]  # Python writes LE with its BOM


def bom_utf16be(d):
    return [write(d, "bom16be.yaml", b"\xfe\xff" + PLAIN.encode("utf-16-be"), "wb")]


def bom_utf32(d):
    return [write(d, "bom32.yaml", PLAIN.encode("utf-32"), "wb")]


def crlf(d):
    return [write(d, "crlf.yaml", PLAIN.replace("\n", "\r\n").encode(), "wb")]


def duplicate_keys(d):
    return [write(d, "dup.yaml", PLAIN.replace("  action: ALLOW\n", "  action: ALLOW\n  action: DENY\n"))]


def merge_keys(d):
    text = PLAIN.replace("  selector:\n    matchLabels: {app: api}\n  action: ALLOW\n",
                         "  <<: &common\n    selector:\n      matchLabels: {app: api}\n  action: ALLOW\n")
    return [write(d, "merge.yaml", text)]


def tags(d):
    text = PLAIN.replace("action: ALLOW", "action: !custom ALLOW").replace('methods: ["GET"]', "methods: [!!str GET]")
    return [write(d, "tags.yaml", text)]


def huge_numbers(d):
    return [write(d, "numbers.yaml", policy("  - to:\n    - operation:\n        ports: [\"99999999999999999999999\"]\n"))]


def wrong_types(d):
    return [write(d, "types.yaml", policy("  - from: 42\n    to: {operation: [1, 2]}\n    when: \"yes\"\n"))]


def lone_comma(d):
    return [write(d, "comma.json", '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}},\n')]


def unreadable_file(d):
    path = write(d, "secret.yaml", PLAIN)
    os.chmod(path, 0)
    return [path]


def unreadable_dir(d):
    sub = d / "team-b"
    sub.mkdir()
    write(sub, "p.yaml", PLAIN)
    os.chmod(sub, 0)
    write(d, "a.yaml", PLAIN)
    return [str(d)]


def fifo_in_dir(d):
    write(d, "a.yaml", PLAIN)
    os.mkfifo(d / "p.yaml")
    return [str(d)]


def fifo_named(d):
    os.mkfifo(d / "p.yaml")
    return [str(d / "p.yaml")]


def symlink_loop(d):
    os.symlink("b.yaml", d / "a.yaml")
    os.symlink("a.yaml", d / "b.yaml")
    return [str(d / "a.yaml")]


def symlink_loop_in_dir(d):
    sub = d / "m"
    sub.mkdir()
    write(sub, "ok.yaml", PLAIN)
    os.symlink("b.yaml", sub / "a.yaml")
    os.symlink("a.yaml", sub / "b.yaml")
    return [str(sub)]


def missing_path(d):
    return [str(d / "nowhere.yaml")]


def plain_file(d):
    return [write(d, "plain.yaml", PLAIN)]


def stdin_input(d):
    return ["-"]


CASES = [
    Case("alias bomb", "9 levels of 10 aliases (10^9 nodes)", 2, alias_bomb),
    Case("deep nesting (flow)", "100,000 nested `[`", 2, deep_flow),
    Case("deep nesting (block)", "2,000 nested maps", 2, deep_block),
    Case("huge scalar", "a 16 MiB annotation value", 0, huge_scalar, rss_mib=800),
    Case("huge file", "a 65 MiB file (limit 64 MiB)", 2, huge_file),
    Case("many documents", "20,000 documents in one file", 0, many_documents, seconds=60),
    Case("many keys", "one map with 100,000 keys", 0, many_keys, rss_mib=800, seconds=60),
    Case("too many nodes", "a list of 1.1 million items (limit 2^20 nodes)", 2, too_many_nodes, rss_mib=800),
    Case("NUL byte", "a NUL inside a quoted value", 2, nul_byte),
    Case("invalid UTF-8", "a Latin-1 `é` in a name", 2, invalid_utf8),
    Case("UTF-8 BOM", "EF BB BF before the manifest", 0, bom_utf8),
    Case("UTF-16 LE BOM", "the manifest in UTF-16 LE with FF FE", 0, bom_utf16le),
    Case("UTF-16 BE BOM", "the manifest in UTF-16 BE with FE FF", 0, bom_utf16be),
    Case("UTF-32 BOM", "the manifest in UTF-32 LE with its BOM", 2, bom_utf32),
    Case("CRLF", "every line ends in CR LF", 0, crlf),
    Case("duplicate keys", "`action` twice in one spec", 1, duplicate_keys),
    Case("merge keys", "`<<: &common` holding the selector", 0, merge_keys),
    Case("tags", "a local tag `!custom` and `!!str`", 0, tags),
    Case("huge numbers", "a port of 10^23", 1, huge_numbers),
    Case("wrong types", "`from: 42`, `when: \"yes\"`", 1, wrong_types),
    Case("stray comma", "JSON with a comma after the object (yaml-cpp#1040)", 2, lone_comma),
    Case("unreadable file", "a file with mode 000", 2, unreadable_file, user="nobody"),
    Case("unreadable directory", "a directory with mode 000", 2, unreadable_dir, user="nobody"),
    Case("FIFO in a directory", "`p.yaml` is a FIFO nobody writes", 2, fifo_in_dir),
    Case("FIFO named", "a FIFO given as the path", 2, fifo_named),
    Case("symlink loop", "a.yaml → b.yaml → a.yaml, given as the path", 2, symlink_loop),
    Case("symlink loop in a directory", "the loop inside a directory", 2, symlink_loop_in_dir),
    Case("missing path", "a path that does not exist", 2, missing_path),
    Case("stdin closed", "`check -` with standard input closed", 2, stdin_input, stdin="closed"),
    Case("stdin empty", "`check -` reading an empty pipe", 2, stdin_input, stdin="empty"),
    Case("stdout closed", "standard output closed (`>&-`)", 2, plain_file, stdout="closed"),
    Case("full disk", "standard output is /dev/full", 2, plain_file, stdout="full"),
    Case("reader gone", "standard output is a pipe nobody reads", 2, plain_file, stdout="broken-pipe"),
]


def demote(user):
    """A preexec function that runs the child as `user` when we are root (root reads mode 000 files)."""
    if user is None or os.geteuid() != 0:
        return None
    import pwd

    pw = pwd.getpwnam(user)

    def run_as():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)

    return run_as


def run_case(binary, case, work):
    d = pathlib.Path(tempfile.mkdtemp(prefix=case.name.replace(" ", "-")[:20] + "-", dir=work))
    os.chmod(d, 0o755)
    args = case.make(d)
    argv = [binary, "check", *args]
    stdin = subprocess.DEVNULL
    stdout = subprocess.PIPE
    read_end = None
    if case.stdin == "closed":
        stdin = None  # closed in the child below
    elif case.stdin == "empty":
        stdin = open(os.devnull, "rb")
    if case.stdout == "full":
        stdout = open("/dev/full", "wb")
    elif case.stdout == "broken-pipe":
        read_end, write_end = os.pipe()
        os.close(read_end)
        stdout = write_end
    elif case.stdout == "closed":
        stdout = None

    demoted = demote(case.user)

    def preexec():
        if case.stdin == "closed":
            os.close(0)
        if case.stdout == "closed":
            os.close(1)
        if demoted:
            demoted()

    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, preexec_fn=preexec,
                            close_fds=True)
    if case.stdout == "broken-pipe":
        os.close(stdout)
    try:
        out, err = proc.communicate(timeout=case.seconds * 4 * SANITIZED_SCALE)
        timed_out = False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        timed_out = True
    seconds = time.monotonic() - start
    # ru_maxrss of the children waited for so far is a maximum, not a sum: run each case in its own
    # helper process (see measure()) so it is this child's alone.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss_kib = usage.ru_maxrss
    text = (err or b"").decode("utf-8", "replace").strip() or (out or b"").decode("utf-8", "replace").strip()
    first = text.splitlines()[0] if text else ""
    first = first.replace(str(d) + "/", "").replace(str(d), "DIR")
    return {"exit": proc.returncode, "message": first, "rss_mib": rss_kib / 1024, "seconds": seconds,
            "cpu": usage.ru_utime + usage.ru_stime, "timed_out": timed_out}


def measure(binary, case, work):
    """Runs one case in a forked process so that RUSAGE_CHILDREN's peak is this run's alone."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            result = run_case(binary, case, work)
        except Exception as e:  # report it as a failed row rather than losing it
            result = {"exit": None, "message": f"harness error: {e}", "rss_mib": 0, "seconds": 0, "cpu": 0,
                      "timed_out": False}
        os.write(w, repr(result).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    import ast

    return ast.literal_eval(data.decode())


def problems(case, result, scale):
    out = []
    code = result["exit"]
    if code is None or code < 0:
        out.append(f"crashed (signal {-code})" if code else result["message"])
    elif code == 3:
        out.append("internal error (exit 3)")
    elif code != case.expect:
        out.append(f"exit {code}, expected {case.expect}")
    if result["timed_out"]:
        out.append("did not finish")
    if result["rss_mib"] > case.rss_mib * scale:
        out.append(f"peak RSS {result['rss_mib']:.0f} MiB over {case.rss_mib * scale} MiB")
    if result["cpu"] > case.seconds * scale:
        out.append(f"{result['cpu']:.1f} s of CPU time over {case.seconds * scale} s")
    return out


def table(rows):
    lines = ["| attack | input | exit | message (first line) | peak RSS | time (CPU) |", "|---|---|---|---|---|---|"]
    for case, r in rows:
        msg = r["message"].replace("|", "\\|").replace("`", "'")
        if len(msg) > 140:
            msg = msg[:137] + "..."
        lines.append(f"| {case.name} | {case.attack} | {r['exit']} | `{msg}` | {r['rss_mib']:.0f} MiB "
                     f"| {r['seconds']:.2f} s ({r['cpu']:.2f} s) |")
    return "\n".join(lines)


def write_doc(text):
    doc = DOC.read_text()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(doc):
        sys.exit(f"hostile_inputs: {DOC} has no {BEGIN} ... {END} markers")
    DOC.write_text(pattern.sub(lambda _: BEGIN + "\n" + text + "\n" + END, doc))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=str(ROOT / "build" / "meshproof"))
    ap.add_argument("--write", action="store_true", help="replace the table in docs/robustness.md")
    ap.add_argument("--check", action="store_true", help="fail when a row is not as expected")
    ap.add_argument("--only", help="run only the rows whose name contains this")
    ap.add_argument("--sanitized", action="store_true",
                    help="the binary is the ASan+UBSan build: memory and time bounds x%d" % SANITIZED_SCALE)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        sys.exit(f"hostile_inputs: no binary at {binary}")
    rows, failures = [], []
    with tempfile.TemporaryDirectory(prefix="meshproof-hostile-") as work:
        os.chmod(work, 0o755)
        for case in CASES:
            if args.only and args.only not in case.name:
                continue
            result = measure(binary, case, work)
            rows.append((case, result))
            for p in problems(case, result, SANITIZED_SCALE if args.sanitized else 1):
                failures.append(f"{case.name}: {p} ({result['message']})")
        # Mode 000 directories would stop the cleanup.
        for dirpath, dirnames, _ in os.walk(work):
            for name in dirnames:
                os.chmod(os.path.join(dirpath, name), 0o755)
    text = table(rows)
    if args.write:
        write_doc(text)
    else:
        print(text)
    if args.check and failures:
        print("\n".join(["hostile_inputs: FAILED"] + failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
