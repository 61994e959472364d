#!/usr/bin/env bash
# `meshproof diff` against one `meshproof check` (docs/diff.md#cost, issue #14 item 5).
#
#   bash scripts/bench-diff.sh                       # 10,000 policies, 10 changed, 3 runs
#   bash scripts/bench-diff.sh --policies 1000 --changed 5 --runs 1
#
# Writes a meshgen tree OLD (meshgen --policies N, default shape) and a copy NEW in which the first
# `methods: ["GET", "HEAD"]` of C policy files (in sorted order) becomes ["GET", "HEAD", "POST"], then runs,
# interleaved, R times each, under bash's time (wall, user, sys):
#   meshproof check NEW -o json                   (stdout to /dev/null)
#   meshproof diff OLD NEW -o json                (the old tree's solver answers reused)
#   meshproof diff OLD NEW -o json --no-reuse     (both trees analyzed on their own)
# and prints, per command, the median wall time and CPU time (user+sys), the ratios diff ÷ check in both,
# and the load average before and after (the development machine is shared: the CPU ratio is the stable one).
#
# Options: --policies N (10000), --changed C (10), --runs R (3), --cache DIR (/tmp/meshproof-bench-diff),
#          BUILD_DIR (environment; default build) holds meshproof and meshgen.
set -euo pipefail

policies=10000 changed=10 runs=3 cache=/tmp/meshproof-bench-diff
while [ $# -gt 0 ]; do
  case "$1" in
    --policies) policies="$2"; shift 2 ;;
    --changed) changed="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --cache) cache="$2"; shift 2 ;;
    *) echo "bench-diff.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
build="${BUILD_DIR:-build}"
for b in meshproof meshgen; do
  [ -x "$build/$b" ] || { echo "bench-diff.sh: $build/$b is missing (ninja -C $build meshproof meshgen)" >&2; exit 2; }
done

old="$cache/old-$policies" new="$cache/new-$policies-$changed"
if [ ! -f "$old/.meshgen" ]; then
  "$build/meshgen" --policies "$policies" --out "$old" --force -q
fi
rm -rf "$new"
cp -r "$old" "$new"
n=0
while IFS= read -r f; do
  [ "$n" -lt "$changed" ] || break
  if grep -q 'methods: \["GET", "HEAD"\]' "$f"; then
    python3 - "$f" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('methods: ["GET", "HEAD"]', 'methods: ["GET", "HEAD", "POST"]', 1)
open(p, "w").write(s)
EOF
    n=$((n + 1))
  fi
done < <(grep -rl 'kind: AuthorizationPolicy' "$new" | sort)
[ "$n" -eq "$changed" ] || { echo "bench-diff.sh: only $n policy files could be changed" >&2; exit 2; }

# median of "wall cpu" lines by wall time
median() { sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }
measure() {  # prints "wall cpu" in seconds (bash's time: real, user+sys of the command and its children)
  local TIMEFORMAT='%R %U %S' t
  t=$( { time "$@" >/dev/null 2>&1; } 2>&1 ) || true
  echo "$t" | awk '{printf "%.2f %.2f\n", $1, $2 + $3}'
}
"$build/meshproof" check "$old" -o json >/dev/null 2>&1 || true  # warm the page cache
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
check=() diff=() full=()
for _ in $(seq "$runs"); do
  check+=("$(measure "$build/meshproof" check "$new" -o json)")
  diff+=("$(measure "$build/meshproof" diff "$old" "$new" -o json)")
  full+=("$(measure "$build/meshproof" diff "$old" "$new" -o json --no-reuse)")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
c=$(printf '%s\n' "${check[@]}" | median) d=$(printf '%s\n' "${diff[@]}" | median) f=$(printf '%s\n' "${full[@]}" | median)
echo "trees: $old -> $new ($policies policies, $changed changed), $runs runs, median by wall time"
echo "load average before: $load_before, after: $load_after ($(nproc) cores)"
printf '%-34s %8s %8s\n' command "wall s" "cpu s"
printf '%-34s %8s %8s\n' "check NEW" $c
printf '%-34s %8s %8s\n' "diff OLD NEW" $d
printf '%-34s %8s %8s\n' "diff OLD NEW --no-reuse" $f
awk -v c="$c" -v d="$d" -v f="$f" 'BEGIN {
  split(c, C, " "); split(d, D, " "); split(f, F, " ");
  printf "diff / check: %.2f wall, %.2f cpu;  diff --no-reuse / check: %.2f wall, %.2f cpu\n",
         D[1] / C[1], D[2] / C[2], F[1] / C[1], F[2] / C[2] }'
"$build/meshproof" diff "$old" "$new" -o json --stats 2>&1 >/dev/null | grep '^meshproof diff:' || true
