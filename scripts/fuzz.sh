#!/usr/bin/env bash
# Runs meshproof's libFuzzer targets (fuzz/, docs/robustness.md "Fuzzing").
#
#   scripts/fuzz.sh TARGET SECONDS   one target (fuzz_load, fuzz_model, fuzz_check, fuzz_config_dump)
#   scripts/fuzz.sh smoke SECONDS    every target SECONDS each (CI); exit 1 if any of them crashed
#   scripts/fuzz.sh list             the targets
#
# Builds the fuzz build directory first when needed ($FUZZ_BUILD_DIR, default build-asan: clang-16,
# -DMESHPROOF_FUZZ=ON, the same directory scripts/test.sh uses for the sanitizer test suite). The corpus
# starts from seeds written by scripts/fuzz_seeds.py (samples/ and test/fixtures/) and grows in
# $FUZZ_BUILD_DIR/fuzz/corpus/TARGET; a crashing input is kept in $FUZZ_BUILD_DIR/fuzz/crashes/TARGET/.
# Reproduce one with: $FUZZ_BUILD_DIR/fuzz/TARGET CRASH_FILE.
#
# Environment: FUZZ_CPU_TIME=1 counts SECONDS as CPU time of the fuzzer (for long runs on a shared
# machine), FUZZ_MAX_WALL=S then also stops it after S seconds of wall time; FUZZ_JOBS (default 2) for
# the build; FUZZ_NO_BUILD=1 runs what is built; FUZZ_ARGS adds libFuzzer flags.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/sanitizer-env.sh
BUILD_DIR="${FUZZ_BUILD_DIR:-build-asan}"
TARGETS=(fuzz_load fuzz_model fuzz_check fuzz_config_dump)

usage() {
  echo "usage: scripts/fuzz.sh TARGET|smoke|list SECONDS  (targets: ${TARGETS[*]})" >&2
  exit 2
}

configure_and_build() {
  [[ -n "${FUZZ_NO_BUILD:-}" ]] && return 0
  if ! grep -qs '^MESHPROOF_FUZZ:BOOL=ON' "$BUILD_DIR/CMakeCache.txt"; then
    local launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-16 \
      -DMESHPROOF_FUZZ=ON -DMESHPROOF_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
  fi
  cmake --build "$BUILD_DIR" -j"${FUZZ_JOBS:-2}" --target "$@"
}

dict_of() {
  case "$1" in
    fuzz_config_dump) echo "fuzz/config_dump.dict" ;;
    *) echo "fuzz/manifest.dict" ;;
  esac
}

# Sends SIGINT to the fuzzer once its CPU time (user + system) reaches $2 seconds.
stop_at_cpu_seconds() {
  local pid=$1 limit=$2 ticks
  ticks=$(getconf CLK_TCK)
  while kill -0 "$pid" 2>/dev/null; do
    local stat used
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || break
    # Fields after "comm)": state is $1, so utime and stime are $12 and $13 there.
    used=$(awk -v t="$ticks" '{print int(($12 + $13) / t)}' <<<"${stat##*) }")
    if ((used >= limit)); then
      kill -INT "$pid" 2>/dev/null || true
      break
    fi
    sleep 5
  done
}

# Runs one target; returns 0 when it found nothing.
run_target() {
  local target=$1 seconds=$2
  local out="$BUILD_DIR/fuzz"
  local corpus="$out/corpus/$target" crashes="$out/crashes/$target" seeds="$out/seeds"
  mkdir -p "$corpus" "$crashes"
  [[ -d "$seeds/$target" ]] || python3 scripts/fuzz_seeds.py "$seeds"
  local args=(-dict="$(dict_of "$target")" -artifact_prefix="$crashes/" -print_final_stats=1
              -timeout=60 -rss_limit_mb=3072 -max_len=131072)
  local log="$out/$target.log"
  local status=0
  echo "fuzz: $target for $seconds s${FUZZ_CPU_TIME:+ of CPU time} (log: $log)"
  if [[ -n "${FUZZ_CPU_TIME:-}" ]]; then
    # No -max_total_time: the watcher interrupts at the CPU budget (libFuzzer then exits with 72).
    # FUZZ_MAX_WALL caps the wall time as well (a starved process may never reach its CPU budget).
    "$out/$target" "${args[@]}" ${FUZZ_MAX_WALL:+-max_total_time=$FUZZ_MAX_WALL} ${FUZZ_ARGS:-} "$corpus" \
      "$seeds/$target" >"$log" 2>&1 &
    local pid=$!
    stop_at_cpu_seconds "$pid" "$seconds" &
    local watcher=$!
    wait "$pid" || status=$?
    kill "$watcher" 2>/dev/null || true
    ((status == 72)) && status=0
  else
    "$out/$target" "${args[@]}" -max_total_time="$seconds" ${FUZZ_ARGS:-} "$corpus" "$seeds/$target" \
      >"$log" 2>&1 || status=$?
  fi
  grep -E '^#[0-9]+' "$log" | tail -1 || true
  grep -E '^stat::' "$log" || true
  if ((status != 0)); then
    echo "fuzz: $target FAILED (exit $status); the input is in $crashes/, the report in $log:" >&2
    grep -E -m1 -A25 '^==[0-9]+==ERROR|runtime error|deadly signal|fuzz_check:' "$log" >&2 || tail -30 "$log" >&2
    return 1
  fi
}

[[ $# -ge 1 ]] || usage
case "$1" in
  list) printf '%s\n' "${TARGETS[@]}"; exit 0 ;;
  smoke)
    [[ $# -eq 2 ]] || usage
    configure_and_build "${TARGETS[@]}"
    failed=()
    for t in "${TARGETS[@]}"; do run_target "$t" "$2" || failed+=("$t"); done
    if ((${#failed[@]})); then
      echo "fuzz smoke: crashes in ${failed[*]}" >&2
      exit 1
    fi
    echo "fuzz smoke: ${#TARGETS[@]} targets, $2 s each, no crash"
    ;;
  *)
    [[ $# -eq 2 ]] || usage
    [[ " ${TARGETS[*]} " == *" $1 "* ]] || usage
    configure_and_build "$1"
    run_target "$1" "$2"
    ;;
esac
