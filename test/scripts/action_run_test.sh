#!/usr/bin/env bash
# Tests scripts/action/run.sh, the shell steps of action.yml, as GitHub runs them: inputs in INPUT_*
# variables, outputs appended to $GITHUB_OUTPUT, the Markdown summary to $GITHUB_STEP_SUMMARY.
# Usage: action_run_test.sh MESHPROOF_BINARY (ctest "scripts: action run.sh").
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
RUN="$SRC/scripts/action/run.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# expect FILE PATTERN: FILE holds a line matching PATTERN (grep -E).
expect() { grep -qE -- "$2" "$1" || { fail "$1 lacks /$2/"; sed 's/^/    /' "$1" >&2; }; }
fresh() { : >"$T/out"; : >"$T/summary"; rm -f meshproof.sarif meshproof-junit.xml; }
run() { GITHUB_OUTPUT="$T/out" GITHUB_STEP_SUMMARY="$T/summary" MESHPROOF="$BIN" bash "$RUN" "$@"; }

# check: findings at or above fail-on → exit-code 1, with SARIF, JUnit and the summary table written.
fresh
INPUT_PATHS="$SRC/samples/hospital" run check >"$T/log" 2>&1 || fail "check exited non-zero (the job fails later)"
expect "$T/out" '^exit-code=1$'
expect "$T/out" '^sarif=meshproof.sarif$'
expect "$T/out" '^junit=meshproof-junit.xml$'
python3 -c 'import json; d = json.load(open("meshproof.sarif")); assert d["runs"][0]["results"]' ||
  fail "meshproof.sarif is not SARIF with results"
expect meshproof-junit.xml '<testsuite'
expect "$T/summary" '^## meshproof: failed'
expect "$T/summary" '^[0-9]+ errors, [0-9]+ warnings'
expect "$T/summary" '^\| error \| `[a-z-]+` \| .*hospital/.*:[0-9]+ \|'
expect "$T/log" 'error'  # the findings as text in the job log

# fail-on never, a profile and extra flags pass through.
fresh
INPUT_PATHS="$SRC/samples/hospital" INPUT_FAIL_ON=never INPUT_PROFILE="$SRC/rules/hipaa.yaml" \
  INPUT_ARGS="--regulated billing --threads 1" run check >/dev/null 2>&1 || fail "check (fail-on never)"
expect "$T/out" '^exit-code=0$'
expect "$T/summary" '^## meshproof: passed'
expect "$T/summary" 'fails on: never'

# A baseline of today's findings: the same findings do not fail the run.
fresh
"$BIN" check "$SRC/samples/hospital" --write-baseline "$T/baseline.json" >/dev/null 2>&1 || true
INPUT_PATHS="$SRC/samples/hospital" INPUT_BASELINE="$T/baseline.json" run check >/dev/null 2>&1 || fail "check (baseline)"
expect "$T/out" '^exit-code=0$'

# Unreadable input: exit-code 2, no SARIF to upload, the summary says so.
fresh
INPUT_PATHS="$T/does-not-exist" run check >/dev/null 2>&1 || fail "check (unreadable input)"
expect "$T/out" '^exit-code=2$'
grep -q '^sarif=' "$T/out" && fail "a SARIF output for a run that could not read its input"
expect "$T/summary" 'could not run'

# key: the same sources give the same key; a changed source file gives another.
mkdir -p "$T/src/lib" "$T/src/tools" "$T/src/rules" "$T/src/cmake"
echo 'project(x)' >"$T/src/CMakeLists.txt"
echo 'int x;' >"$T/src/lib/a.cpp"
: >"$T/out"
ACTION_DIR="$T/src" ImageOS=ubuntu24 run key
ACTION_DIR="$T/src" ImageOS=ubuntu24 run key
echo 'int y;' >"$T/src/lib/a.cpp"
ACTION_DIR="$T/src" ImageOS=ubuntu24 run key
mapfile -t keys < <(sed -n 's/^key=//p' "$T/out")
[[ ${#keys[@]} == 3 && "${keys[0]}" == "${keys[1]}" && "${keys[1]}" != "${keys[2]}" ]] ||
  fail "cache keys: ${keys[*]}"
[[ "${keys[0]}" == meshproof-deb-ubuntu24-src-* ]] || fail "cache key ${keys[0]} does not name the image"

# install: a cached package is installed as it is (no download, no build).
mkdir -p "$T/pkg" && : >"$T/pkg/meshproof_0.1.0_amd64.deb"
APT="echo apt-get" MESHPROOF_PKG_DIR="$T/pkg" run install >"$T/log" 2>&1 || fail "install from the cache"
expect "$T/log" "^apt-get install .*$T/pkg/meshproof_0.1.0_amd64.deb$"
expect "$T/log" '^meshproof [0-9]'

((failures == 0)) || { echo "$failures failure(s)" >&2; exit 1; }
echo "action run.sh: all cases passed"
