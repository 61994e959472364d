#!/usr/bin/env bash
# The status line of `check` (docs/output.md, "Progress"): on a terminal it names the check and, during the
# symbolic pass, the workload class count with the elapsed time, and is erased at the end; without a
# terminal, and in the machine-readable output, there is none.
# Usage: progress_test.sh MESHPROOF MESHGEN (ctest "scripts: progress line").
set -euo pipefail
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
GEN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
command -v script >/dev/null || { echo "SKIP: script(1) (util-linux) is not installed"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# A tree whose symbolic pass lasts well over the half second before the line appears: 6000 policies, one
# policy set per workload (meshgen --shape unique).
"$GEN" --policies 6000 --shape unique --out "$T/tree" >/dev/null

# On a terminal: script(1) gives meshproof a pseudo-terminal as stderr; stdout goes to a file.
script -qec "'$BIN' check '$T/tree' --threads 1 -o json > '$T/out.json'" "$T/typescript" >/dev/null || true
tr '\r' '\n' <"$T/typescript" >"$T/lines"
grep -qE '^meshproof: check [0-9]+/[0-9]+ [a-z-]+(: workload class [0-9]+/[0-9]+)?, [0-9]+\.[0-9] s' "$T/lines" ||
  fail "no status line naming a check on the terminal"
grep -qE ': workload class [0-9]+/[0-9]+, [0-9]+\.[0-9] s' "$T/lines" ||
  fail "no workload class count during the symbolic pass"
grep -q $'\033\[K' "$T/typescript" || fail "the status line is not erased"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out.json" || fail "stdout is not JSON alone"

# Not a terminal: no status line at all.
"$BIN" check "$T/tree" --threads 1 -o json >/dev/null 2>"$T/err" || true
grep -q 'meshproof: check' "$T/err" && fail "a status line was written to a stderr that is not a terminal"

# -q on a terminal: none either.
script -qec "'$BIN' check '$T/tree' --threads 1 -q -o json > /dev/null" "$T/quiet" >/dev/null || true
grep -q 'meshproof: check' "$T/quiet" && fail "-q still prints the status line"

[ "$failures" = 0 ] && echo "progress line: ok"
exit "$failures"
