#!/usr/bin/env bash
# Scale benchmark of `meshproof check` against the parse-only floor (docs/performance.md, issue #7).
#
#   bash scripts/bench-scale.sh                      # 1k, 10k, 50k, 100k policies; writes docs/performance.{csv,png}
#   bash scripts/bench-scale.sh --sizes "1000 10000" --runs 3
#   bash scripts/bench-scale.sh --shapes "default unique mixed" --sizes 10000 --csv docs/performance-shapes.csv --no-plot
#
# For each shape and size it writes a meshgen tree (cached in --cache, reused while meshgen is unchanged), then runs,
# under `/usr/bin/time -v` (wall clock from `date +%s%N`, peak RSS from time's "Maximum resident set size"):
#   parse_floor --threads 1 DIR      yaml-cpp parse of every file, every node touched (tools/parse_floor)
#   parse_floor --threads 2 DIR      the same on both cores: meshproof also parses one file per core
#   parse_floor --api nodes DIR      the same with YAML::LoadAll node trees (reference only)
#   meshproof check DIR -o json --stats   (stdout to a file; the phase breakdown comes from --stats)
# An untimed floor run first puts the tree in the page cache, so every timed run reads warm files.
# With --runs R each measurement runs R times, interleaved, and the run with the median wall time is kept.
# Then phase_bench gives lowering alone (BM_Lower, 1k and 10k) and the median single symbolic query
# (BM_Query, on the programs of the 10k tree's first 100 classes).
#
# Output: a CSV (--csv, default docs/performance.csv), a Markdown table and the ratios on stdout (also in
# BUILD_DIR/bench-scale/summary.md), and the plot (--png, default docs/performance.png) drawn by gnuplot.
#
# Options:
#   --sizes "N ..."      policy counts (default "1000 10000 50000 100000")
#   --shapes "S ..."     meshgen shapes (docs/meshgen.md; default "default", or $SHAPES): default, unique, mixed, ambient.
#                        With more than one, the summary adds a table per shape: check ÷ floor, peak RSS, phases.
#   --runs R             repetitions per measurement (default 3)
#   --cache DIR          where the meshgen trees live (default /tmp/meshproof-bench)
#   --csv FILE / --png FILE   outputs (defaults docs/performance.csv, docs/performance.png)
#   --check-timeout S    stop a `check` run after S seconds and record it as a timeout (default 600)
#   --no-build           use the binaries already in BUILD_DIR
#   --no-query           skip phase_bench (lowering alone, median query)
#   --no-plot            draw no plot (the CSV and the tables only)
#   --render-only        measure nothing: redo the tables and the plot from an existing --csv
# Environment: BUILD_DIR (default build), JOBS (build parallelism, default 2).
# Needs gnuplot and GNU time: `bash scripts/install-deps.sh --with-bench-tools`.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR="${BUILD_DIR:-build}"
JOBS="${JOBS:-2}"
SIZES="1000 10000 50000 100000"
SHAPES="${SHAPES:-default}"
PLOT=1
RUNS=""
CACHE=/tmp/meshproof-bench
CSV=docs/performance.csv
PNG=docs/performance.png
CHECK_TIMEOUT=600
BUILD=1
QUERY=1
MEASURE=1
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit "${1:-0}"; }
while (($#)); do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --shapes) SHAPES="$2"; shift 2 ;;
    --no-plot) PLOT=0; shift ;;
    --runs) RUNS="$2"; shift 2 ;;
    --cache) CACHE="$2"; shift 2 ;;
    --csv) CSV="$2"; shift 2 ;;
    --png) PNG="$2"; shift 2 ;;
    --check-timeout) CHECK_TIMEOUT="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --no-query) QUERY=0; shift ;;
    --render-only) MEASURE=0; BUILD=0; QUERY=0; shift ;;
    -h|--help) usage 0 ;;
    *) echo "bench-scale: unknown option '$1'" >&2; usage 2 >&2 ;;
  esac
done

die() { echo "bench-scale: $*" >&2; exit 2; }
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is missing; run: bash scripts/install-deps.sh --with-bench-tools"
((PLOT == 0)) || command -v gnuplot >/dev/null || die "gnuplot is missing; run: bash scripts/install-deps.sh --with-bench-tools"

# ---- Build ------------------------------------------------------------------------------------------
targets=(meshproof meshgen parse_floor)
((QUERY)) && targets+=(phase_bench)
if ((BUILD)); then
  if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
    cmake -S . -B "$BUILD_DIR" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMESHPROOF_BUILD_BENCH=ON >/dev/null
  elif ((QUERY)) && ! grep -qs '^MESHPROOF_BUILD_BENCH:BOOL=ON' "$BUILD_DIR/CMakeCache.txt"; then
    cmake -S . -B "$BUILD_DIR" -DMESHPROOF_BUILD_BENCH=ON >/dev/null  # phase_bench (off in a plain configure)
  fi
  build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt")
  case "$build_type" in
    Release|RelWithDebInfo) ;;
    *) die "$BUILD_DIR is a '$build_type' build; measure a Release or RelWithDebInfo build (set BUILD_DIR)" ;;
  esac
  echo "bench-scale: building ${targets[*]} in $BUILD_DIR ($build_type, -j$JOBS)" >&2
  cmake --build "$BUILD_DIR" -j"$JOBS" --target "${targets[@]}" >"$BUILD_DIR/bench-scale-build.log" 2>&1 ||
    { tail -30 "$BUILD_DIR/bench-scale-build.log" >&2; die "the build failed (log: $BUILD_DIR/bench-scale-build.log)"; }
fi
BIN=$(cd "$BUILD_DIR" 2>/dev/null && pwd) || die "no build directory '$BUILD_DIR'"
MESHPROOF="$BIN/meshproof"
MESHGEN="$BIN/meshgen"
FLOOR="$BIN/parse_floor"
PHASE_BENCH="$BIN/bench/phase_bench"
if ((MEASURE)); then
  for b in "$MESHPROOF" "$MESHGEN" "$FLOOR"; do [[ -x "$b" ]] || die "$b is missing (build it, or drop --no-build)"; done
  if ((QUERY)) && [[ ! -x "$PHASE_BENCH" ]]; then die "$PHASE_BENCH is missing (build it, or pass --no-query)"; fi
fi

WORK="$BIN/bench-scale"
mkdir -p "$WORK" "$CACHE" "$(dirname "$CSV")" "$(dirname "$PNG")"

# ---- Helpers ----------------------------------------------------------------------------------------
# tree SHAPE N: the meshgen tree of N policies (the shape's options, seed 1), written unless a complete tree
# made by the current meshgen binary is there already (meshgen writes its marker last). The default shape's
# tree is mg-N (phase_bench reads it from the same cache), another shape's mg-SHAPE-N.
tree() {
  local shape=$1 n=$2
  local dir="$CACHE/mg-$n"
  [[ $shape == default ]] || dir="$CACHE/mg-$shape-$n"
  local marker="$dir/.meshgen"
  if [[ ! -f "$marker" ]] || [[ "$MESHGEN" -nt "$marker" ]] || ! grep -q "^meshgen --policies $n --seed 1 " "$marker" ||
     [[ "$(grep -o -- '--shape [a-z]*' "$marker" || echo '--shape default')" != "--shape $shape" ]]; then
    echo "bench-scale: writing $dir" >&2
    "$MESHGEN" --policies "$n" --shape "$shape" --out "$dir" --force -q
  fi
  echo "$dir"
}

# key SHAPE N: the name of a measurement's files and of its CSV row: N for the default shape, SHAPE-N else.
key() { if [[ $1 == default ]]; then echo "$2"; else echo "$1-$2"; fi; }

# measure TAG TIMEOUT CMD...: runs CMD under GNU time; sets M_WALL (s), M_RSS (MB), M_CPU (user+sys s),
# M_RC. stdout/stderr go to $WORK/TAG.out / TAG.err. TIMEOUT 0: none.
measure() {
  local tag=$1 limit=$2; shift 2
  local tf="$WORK/$tag.time" t0 t1
  local pre=()
  ((limit > 0)) && pre=(timeout "$limit")
  t0=$(date +%s%N)
  set +e
  /usr/bin/time -v -o "$tf" "${pre[@]}" "$@" >"$WORK/$tag.out" 2>"$WORK/$tag.err"
  M_RC=$?
  set -e
  t1=$(date +%s%N)
  M_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  M_RSS=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$tf")
  M_CPU=$(awk -F': ' '/User time \(seconds\)/ { u = $2 } /System time \(seconds\)/ { s = $2 } END { printf "%.2f", u + s }' "$tf")
}

# other_runnable: the mean number of runnable processes other than this script's over 2 s (from the
# "running/total" field of /proc/loadavg). A better "is the machine busy" signal than the load average,
# which still counts this script's own build and earlier runs.
other_runnable() {
  local sum=0 i r
  for ((i = 0; i < 10; i++)); do
    r=$(cut -d' ' -f4 /proc/loadavg); sum=$((sum + ${r%%/*} - 1)); sleep 0.2
  done
  awk -v s="$sum" 'BEGIN { printf "%.1f", (s < 0 ? 0 : s) / 10 }'
}

# median_index WALL...: the index of the median value (the lower one of an even count).
median_index() {
  local i=0 v
  for v in "$@"; do echo "$v $i"; i=$((i + 1)); done | sort -g | awk -v n=$# 'NR == int((n + 1) / 2) { print $2 }'
}

# stat_ms NAME FILE: the ms figure of one `--stats` line ("load       123.4   (...)"), NaN when absent.
stat_ms() { awk -v k="$1" '$1 == k && $2 ~ /^[0-9.]+$/ { v = $2 } END { print (v == "" ? "NaN" : v) }' "$2"; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NaN" || b == "NaN" || b == 0) print "NaN"; else printf "%.2f", a / b }'; }

# ---- Measure ----------------------------------------------------------------------------------------
# The CSV: one row per size; `#` lines are comments (gnuplot skips them too). The phase_bench columns
# (lower_ms, query_*) are filled for the sizes it runs (1000 and 10000; the query on 10000 only) of the
# default shape. Then the 1-thread floor's CPU time (user + system) and the meshgen shape (a CSV without
# these two columns is all default shape).
header="policies,files,mbytes,workloads,classes,findings,floor1_s,floor2_s,check_s,check_cpu_s,ratio_floor2,ratio_floor1,check_rss_mb,floor1_rss_mb,floor2_rss_mb,load_ms,validate_ms,resolve_ms,analyze_ms,report_ms,other_ms,total_ms,queries,floor_nodes1_s,other_runnable,lower_ms,query_median_us,query_p90_us,query_mean_us,floor1_cpu_s,shape"
if ((MEASURE)); then
  rows=()
  machine="$(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM"
  revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' + local changes')"
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "bench-scale: $machine; load average $load_before" >&2

  # measure_size SHAPE N: measures the floors and `check` on one tree, appends its row to `rows`.
  measure_size() {
    local shape=$1 n=$2 k dir
    k=$(key "$shape" "$n")
    dir=$(tree "$shape" "$n")
    runs=${RUNS:-3}
    files=$(find "$dir" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -not -path '*/.*' | wc -l)
    mbytes=$(find "$dir" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -not -path '*/.*' -printf '%s\n' |
             awk '{ b += $1 } END { printf "%.1f", b / 1e6 }')
    "$FLOOR" --threads 2 "$dir" >/dev/null  # warm the page cache
    # Ratios are only meaningful on an otherwise idle machine: record how busy it is, warn when it is.
    busy=$(other_runnable)
    if awk -v b="$busy" -v n="$(nproc)" 'BEGIN { exit !(b >= n / 2) }'; then
      echo "bench-scale: warning: $busy other processes are runnable on $(nproc) cores; they will skew the numbers" >&2
    fi
    f1w=(); f2w=(); fnw=(); cw=()
    for ((r = 0; r < runs; r++)); do
      echo "bench-scale: $shape shape, $n policies, run $((r + 1))/$runs" >&2
      measure "floor1-$k-$r" 0 "$FLOOR" --threads 1 "$dir"
      ((M_RC == 0)) || die "parse_floor failed on $dir: $(cat "$WORK/floor1-$k-$r.err")"
      f1w+=("$M_WALL"); echo "$M_RSS $M_CPU" >"$WORK/floor1-$k-$r.rss"
      measure "floor2-$k-$r" 0 "$FLOOR" --threads 2 "$dir"
      f2w+=("$M_WALL"); echo "$M_RSS" >"$WORK/floor2-$k-$r.rss"
      measure "floorn-$k-$r" 0 "$FLOOR" --threads 1 --api nodes "$dir"
      fnw+=("$M_WALL")
      MESHPROOF_GAP_STATS=1 measure "check-$k-$r" "$CHECK_TIMEOUT" "$MESHPROOF" check "$dir" -o json --stats
      if ((M_RC == 124)); then
        echo "bench-scale: check on $n policies stopped after ${CHECK_TIMEOUT}s (--check-timeout)" >&2
        cw+=(NaN); echo "NaN NaN" >"$WORK/check-$k-$r.m"
      elif ((M_RC == 0 || M_RC == 1)); then
        cw+=("$M_WALL"); echo "$M_RSS $M_CPU" >"$WORK/check-$k-$r.m"
      else
        die "meshproof check failed (exit $M_RC) on $dir: $(tail -5 "$WORK/check-$k-$r.err")"
      fi
    done
    i1=$(median_index "${f1w[@]}"); i2=$(median_index "${f2w[@]}"); i3=$(median_index "${fnw[@]}")
    ic=$(median_index "${cw[@]}")
    floor1=${f1w[$i1]}; floor2=${f2w[$i2]}; floorn=${fnw[$i3]}; check=${cw[$ic]}
    read -r floor1_rss floor1_cpu <"$WORK/floor1-$k-$i1.rss"; floor2_rss=$(cat "$WORK/floor2-$k-$i2.rss")
    read -r check_rss check_cpu <"$WORK/check-$k-$ic.m"
    floor_files=$(awk '{ print $2 }' "$WORK/floor1-$k-$i1.out")
    [[ "$floor_files" == "$files" ]] || die "parse_floor read $floor_files files, expected $files"
    err="$WORK/check-$k.err"
    cp "$WORK/check-$k-$ic.err" "$err"  # the kept run's --stats and gap-pass lines, for the summary
    s_load=$(stat_ms load "$err"); s_validate=$(stat_ms validate "$err"); s_resolve=$(stat_ms resolve "$err")
    s_analyze=$(stat_ms analyze "$err"); s_report=$(stat_ms report "$err"); s_other=$(stat_ms other "$err")
    s_total=$(stat_ms total "$err")
    workloads=$(sed -n 's/^resolve .*(\([0-9]*\) workloads, \([0-9]*\) classes).*/\1/p' "$err"); workloads=${workloads:-NaN}
    classes=$(sed -n 's/^resolve .*(\([0-9]*\) workloads, \([0-9]*\) classes).*/\2/p' "$err"); classes=${classes:-NaN}
    findings=$(sed -n 's/^analyze .*(\([0-9]*\) findings).*/\1/p' "$err"); findings=${findings:-NaN}
    # MESHPROOF_GAP_STATS=1 prints the gap pass's counters ("gap pass ...: ... N queries ..."; not an
    # interface, so NaN when its wording changes): the symbolic queries `check` asked, summed over lines.
    queries=$(awk '/^gap pass/ { for (i = 2; i <= NF; i++) if ($i ~ /^queries/ && $(i - 1) ~ /^[0-9]+$/) { q += $(i - 1); f = 1 } }
                   END { print (f ? q : "NaN") }' "$err")
    rows+=("$shape|$floor1_cpu|$n,$files,$mbytes,$workloads,$classes,$findings,$floor1,$floor2,$check,${check_cpu:-NaN},$(ratio "$check" "$floor2"),$(ratio "$check" "$floor1"),${check_rss:-NaN},$floor1_rss,$floor2_rss,$s_load,$s_validate,$s_resolve,$s_analyze,$s_report,$s_other,$s_total,$queries,$floorn,$busy")
    echo "bench-scale: $shape shape, $n policies: floor ${floor1}s (1 thread) ${floor2}s (2 threads), check ${check}s, ${check_rss} MB" >&2
  }
  for shape in $SHAPES; do
    for n in $SIZES; do measure_size "$shape" "$n"; done
  done

  # phase_bench: lowering alone (it is inside analyze in `check`) and the median single symbolic query.
  declare -A lower=() qmed=() qp90=() qmean=()
  pb_filter=""
  for n in $SIZES; do
    [[ $n == 1000 || $n == 10000 ]] && pb_filter+="${pb_filter:+|}BM_Lower/policies:$n/"
    [[ $n == 10000 ]] && pb_filter+="${pb_filter:+|}BM_Query/policies:10000\$"
  done
  [[ " $SHAPES " == *" default "* ]] || pb_filter=""  # phase_bench measures the default shape's trees
  if ((QUERY)) && [[ -n "$pb_filter" ]]; then
    echo "bench-scale: phase_bench --benchmark_filter='$pb_filter'" >&2
    MESHPROOF_BENCH_CACHE="$CACHE" "$PHASE_BENCH" --benchmark_filter="$pb_filter" --benchmark_min_time=2 \
      --benchmark_format=json >"$WORK/phase_bench.json" 2>"$WORK/phase_bench.err" ||
      die "phase_bench failed: $(tail -5 "$WORK/phase_bench.err")"
    # One key per line in Google Benchmark's JSON: remember the benchmark's name, print its KEY.
    pb() { awk -v want="$1" -v key="\"$2\"" -F': ' '
      /"name":/ { name = $2; gsub(/[",]/, "", name) }
      name == want && $1 ~ key { v = $2; gsub(/,/, "", v); printf "%.1f", v; exit }' "$WORK/phase_bench.json"; }
    for n in 1000 10000; do lower[$n]=$(pb "BM_Lower/policies:$n/real_time" real_time); done
    qmed[10000]=$(pb BM_Query/policies:10000 median_us)
    qp90[10000]=$(pb BM_Query/policies:10000 p90_us)
    qmean[10000]=$(pb BM_Query/policies:10000 real_time)  # the mean; time unit µs
  fi
  {
    echo "# meshproof bench-scale $(date -u +%Y-%m-%dT%H:%MZ); revision $revision; $machine; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "$header"
    for entry in "${rows[@]}"; do
      IFS='|' read -r shape floor1_cpu row <<<"$entry"; n=${row%%,*}
      if [[ $shape == default ]]; then
        echo "$row,${lower[$n]:-NaN},${qmed[$n]:-NaN},${qp90[$n]:-NaN},${qmean[$n]:-NaN},$floor1_cpu,$shape"
      else
        echo "$row,NaN,NaN,NaN,NaN,$floor1_cpu,$shape"
      fi
    done
  } >"$CSV"
fi
[[ -f "$CSV" ]] || die "$CSV does not exist; run without --render-only first"

# ---- Summary: Markdown tables and the ratios against the issue #7 targets, all from the CSV -----------
summary="$WORK/summary.md"
awk -F, '
  function v(x, fmt) { return (x == "NaN" || x == "") ? "—" : sprintf(fmt, x) }
  function pass(ok) { return ok ? "**met**" : "**not met**" }
  /^#/ { sub(/^# /, ""); print "Run: " $0 "."; print ""; next }
  !hdr { for (i = 1; i <= NF; i++) c[$i] = i; hdr = 1; next }
  {
    sh = ("shape" in c) ? $(c["shape"]) : "default"
    ++all; for (k in c) a[all, k] = $c[k]; a[all, "shape"] = sh
    if (sh != "default") other_shapes = 1
    else { ++rows; for (k in c) d[rows, k] = $c[k] }
  }
  END {
    if (rows) default_tables()
    if (other_shapes) shape_tables()
  }
  function default_tables() {
    print "| policies | files | MB | floor 1 thread (s) | floor 2 threads (s) | LoadAll 1 thread (s) | check (s) | check ÷ floor 2t | check ÷ floor 1t | check CPU (s) | check peak RSS (MB) | floor peak RSS (MB) | other runnable |"
    print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (r = 1; r <= rows; r++)
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", d[r, "policies"], d[r, "files"], d[r, "mbytes"],
        v(d[r, "floor1_s"], "%.2f"), v(d[r, "floor2_s"], "%.2f"), v(d[r, "floor_nodes1_s"], "%.2f"), v(d[r, "check_s"], "%.2f"),
        v(d[r, "ratio_floor2"], "%.2f×"), v(d[r, "ratio_floor1"], "%.2f×"), v(d[r, "check_cpu_s"], "%.2f"),
        v(d[r, "check_rss_mb"], "%.0f"), v(d[r, "floor2_rss_mb"], "%.0f"), v(d[r, "other_runnable"], "%.1f")
    print ""
    print "Phases of `check` (ms, from `--stats`; lowering runs inside analyze, `lower alone` is phase_bench BM_Lower):"
    print ""
    print "| policies | workloads | classes | load | validate | resolve | analyze | (lower alone) | report | other | total in-process | findings | symbolic queries |"
    print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (r = 1; r <= rows; r++)
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", d[r, "policies"], v(d[r, "workloads"], "%d"),
        v(d[r, "classes"], "%d"), v(d[r, "load_ms"], "%.0f"), v(d[r, "validate_ms"], "%.0f"), v(d[r, "resolve_ms"], "%.0f"),
        v(d[r, "analyze_ms"], "%.0f"), v(d[r, "lower_ms"], "%.0f"), v(d[r, "report_ms"], "%.0f"), v(d[r, "other_ms"], "%.0f"),
        v(d[r, "total_ms"], "%.0f"), v(d[r, "findings"], "%d"), v(d[r, "queries"], "%d")
    print ""
    print "Targets (issue #7; the ratio target is against the 2-thread floor):"
    print ""
    for (r = 1; r <= rows; r++) {
      p = d[r, "policies"]
      if (p == 10000 || p == 100000)
        printf "- %s policies: check ÷ floor (2 threads) = %s (target ≤ 1.5×) %s; ÷ floor (1 thread) = %s\n", p,
          v(d[r, "ratio_floor2"], "%.2f×"), pass(d[r, "ratio_floor2"] != "NaN" && d[r, "ratio_floor2"] <= 1.5),
          v(d[r, "ratio_floor1"], "%.2f×")
      if (p == 10000) {
        printf "- 10000 policies: peak RSS = %s MB (target ≤ 256 MB) %s\n", v(d[r, "check_rss_mb"], "%.0f"),
          pass(d[r, "check_rss_mb"] != "NaN" && d[r, "check_rss_mb"] <= 256)
        t10 = d[r, "check_s"]; f10 = d[r, "floor2_s"]; m10 = d[r, "check_rss_mb"]; q = r
      }
      if (p == 100000 && t10 != "" && t10 != "NaN" && d[r, "check_s"] != "NaN")
        printf "- growth 10k → 100k (×10 input): check time ×%.1f, floor time ×%.1f, check peak RSS ×%.1f (linear: ×10)\n",
          d[r, "check_s"] / t10, d[r, "floor2_s"] / f10, d[r, "check_rss_mb"] / m10
    }
    if (q && d[q, "query_median_us"] != "NaN")
      printf "- median symbolic query (phase_bench BM_Query, 10k tree) = %s µs (target ≤ 50 µs) %s; p90 %s µs, mean %s µs\n",
        d[q, "query_median_us"], pass(d[q, "query_median_us"] <= 50), d[q, "query_p90_us"], d[q, "query_mean_us"]
    print ""
  }
  # One row per shape and size: issue #16 asks for the ratio against the 1-thread floor on every shape.
  function shape_tables(   r, p) {
    print "Per meshgen shape ([meshgen.md](meshgen.md#shapes)); *check ÷ floor 1t* is the ratio of issue #16:"
    print ""
    print "| shape | policies | MB | workloads | classes | findings | floor 1 thread (s) | floor 2 threads (s) | check (s) | check ÷ floor 1t | check ÷ floor 2t | check CPU (s) | check CPU ÷ floor 1t CPU | check peak RSS (MB) | other runnable |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (r = 1; r <= all; r++)
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", a[r, "shape"], a[r, "policies"],
        a[r, "mbytes"], v(a[r, "workloads"], "%d"), v(a[r, "classes"], "%d"), v(a[r, "findings"], "%d"),
        v(a[r, "floor1_s"], "%.2f"), v(a[r, "floor2_s"], "%.2f"), v(a[r, "check_s"], "%.2f"), v(a[r, "ratio_floor1"], "%.2f×"),
        v(a[r, "ratio_floor2"], "%.2f×"), v(a[r, "check_cpu_s"], "%.2f"),
        (a[r, "floor1_cpu_s"] == "" || a[r, "floor1_cpu_s"] == "NaN" || a[r, "floor1_cpu_s"] == 0) ? "—" : sprintf("%.2f×", a[r, "check_cpu_s"] / a[r, "floor1_cpu_s"]),
        v(a[r, "check_rss_mb"], "%.0f"), v(a[r, "other_runnable"], "%.1f")
    print ""
    print "Phases of `check` per shape (ms, from `--stats`; *analyze ÷ class* is the mean analyze time per workload class):"
    print ""
    print "| shape | policies | load | validate | resolve | analyze | report | other | total in-process | analyze ÷ class | symbolic queries |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (r = 1; r <= all; r++)
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", a[r, "shape"], a[r, "policies"],
        v(a[r, "load_ms"], "%.0f"), v(a[r, "validate_ms"], "%.0f"), v(a[r, "resolve_ms"], "%.0f"), v(a[r, "analyze_ms"], "%.0f"),
        v(a[r, "report_ms"], "%.0f"), v(a[r, "other_ms"], "%.0f"), v(a[r, "total_ms"], "%.0f"),
        (a[r, "analyze_ms"] == "NaN" || a[r, "classes"] == "NaN" || a[r, "classes"] == 0) ? "—" : sprintf("%.2f", a[r, "analyze_ms"] / a[r, "classes"]),
        v(a[r, "queries"], "%d")
    print ""
    print "Targets per shape (issue #16: check ≤ 1.5 × the 1-thread floor, peak RSS ≤ 256 MB, at 10k policies):"
    print ""
    for (r = 1; r <= all; r++)
      if (a[r, "policies"] == 10000)
        printf "- %s: check ÷ floor (1 thread) = %s %s; peak RSS = %s MB %s\n", a[r, "shape"], v(a[r, "ratio_floor1"], "%.2f×"),
          pass(a[r, "ratio_floor1"] != "NaN" && a[r, "ratio_floor1"] <= 1.5), v(a[r, "check_rss_mb"], "%.0f"),
          pass(a[r, "check_rss_mb"] != "NaN" && a[r, "check_rss_mb"] <= 256)
  }' "$CSV" >"$summary"
# Where analyze spends its time, at the largest measured size up to 10k (MESHPROOF_GAP_STATS=1 output of the
# kept run; not an interface, shown verbatim).
for n in 10000 1000; do
  if [[ -f "$WORK/check-$n.err" ]] && grep -q '^gap pass' "$WORK/check-$n.err" && grep -q "^$n," "$CSV"; then
    { echo; echo "Symbolic gap pass at $n policies (\`MESHPROOF_GAP_STATS=1\`, per worker thread and analyzer):"; echo
      echo '```'; awk '/^gap pass/ { on = 1 } /^phase/ { on = 0 } on' "$WORK/check-$n.err"; echo '```'; } >>"$summary"
    break
  fi
done
for shape in $SHAPES; do
  err="$WORK/check-$shape-10000.err"
  if [[ $shape != default && -f "$err" ]] && grep -q '^gap pass' "$err"; then
    { echo; echo "Symbolic gap pass, $shape shape, 10000 policies (\`MESHPROOF_GAP_STATS=1\`):"; echo
      echo '```'; awk '/^gap pass/ { on = 1 } /^phase/ { on = 0 } on' "$err"; echo '```'; } >>"$summary"
  fi
done
cat "$summary"

# ---- Plot (from the CSV) -----------------------------------------------------------------------------
# The default shape's rows only (29 columns: a CSV from before shapes; else the last column is the shape).
grep -v '^#' "$CSV" | tail -n +2 | awk -F, 'NF == 29 || $NF == "default"' >"$WORK/plot.csv"
if ((PLOT == 0)) || [[ ! -s "$WORK/plot.csv" ]]; then
  echo "bench-scale: wrote $CSV and $summary (no plot: --no-plot, or no default-shape rows)" >&2
  exit 0
fi
gnuplot <<EOF
set terminal pngcairo size 1500,520 font "DejaVu Sans,10"
set output "$PNG"
set datafile separator ","
set datafile missing "NaN"
set key top left opaque box
set grid
set xrange [0:*]
set yrange [0:*]
set multiplot layout 1,3 title "meshproof check vs the yaml-cpp parse-only floor (meshgen trees, $(nproc) cores)"
set xlabel "AuthorizationPolicies (thousands)"
set ylabel "wall time (s)"
set title "Time"
plot "$WORK/plot.csv" using (\$1/1000):(\$9) with linespoints lw 2 pt 7 lc rgb "#9400d3" title "meshproof check", \
     "" using (\$1/1000):(\$8) with linespoints lw 2 pt 5 lc rgb "#009e73" title "parse floor, 2 threads", \
     "" using (\$1/1000):(\$7) with linespoints lw 2 pt 4 lc rgb "#56b4e9" title "parse floor, 1 thread", \
     "" using (\$1/1000):(1.5*\$8) with lines dt 2 lw 2 lc rgb "gray40" title "target: 1.5 × floor (2 threads)"
set ylabel "peak RSS (MB)"
set title "Memory"
plot "$WORK/plot.csv" using (\$1/1000):(\$13) with linespoints lw 2 pt 7 lc rgb "#9400d3" title "meshproof check", \
     "" using (\$1/1000):(\$15) with linespoints lw 2 pt 5 lc rgb "#009e73" title "parse floor, 2 threads", \
     "" using (\$1/1000):(\$14) with linespoints lw 2 pt 4 lc rgb "#56b4e9" title "parse floor, 1 thread", \
     256 with lines dt 2 lw 2 lc rgb "gray40" title "target: 256 MB at 10k policies"
set ylabel "check time ÷ floor time"
set title "Ratio"
set key bottom right
plot "$WORK/plot.csv" using (\$1/1000):(\$11) with linespoints lw 2 pt 5 lc rgb "#009e73" title "check ÷ floor, 2 threads", \
     "" using (\$1/1000):(\$12) with linespoints lw 2 pt 4 lc rgb "#56b4e9" title "check ÷ floor, 1 thread", \
     1.5 with lines dt 2 lw 2 lc rgb "gray40" title "target: 1.5"
unset multiplot
EOF
echo "bench-scale: wrote $CSV, $PNG and $summary" >&2
