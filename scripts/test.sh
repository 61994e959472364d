#!/usr/bin/env bash
# The whole test suite (the README's test command; .ci/run calls it). Four phases (docs/ci.md):
#   1. build (RelWithDebInfo, the default compiler, tests and benchmarks on) and every test through CTest;
#   1b. the Debian package from a Release build of its own ($PACKAGE_BUILD_DIR, default build-package: the build
#      the quick start makes, each layer one translation unit), installed with apt-get in a fresh Debian 12 root
#      and run there (scripts/package_test.sh); PACKAGE_TEST=0 skips it;
#   2. the sanitizer build (clang-16, ASan + UBSan, $ASAN_BUILD_DIR, default build-asan) and CTest again,
#      a sanitizer report failing the test it happens in;
#   3. a fuzz smoke run: every libFuzzer target for FUZZ_SMOKE_SECONDS (default 60) from the same build.
# SANITIZE=0 skips phases 2 and 3; FUZZ_SMOKE_SECONDS=0 skips phase 3.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --with-test-tools
BUILD_DIR="${BUILD_DIR:-build}"
ASAN_BUILD_DIR="${ASAN_BUILD_DIR:-build-asan}"
PACKAGE_BUILD_DIR="${PACKAGE_BUILD_DIR:-build-package}"
JOBS="$(nproc)"
phase_start=$SECONDS
phase_done() {
  echo "test.sh: phase '$1' took $((SECONDS - phase_start)) s"
  phase_start=$SECONDS
}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# Phase 1: the normal build.
# Tests and benchmarks are off in a plain configure (the README's quick start builds the tool only).
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMESHPROOF_BUILD_TESTS=ON \
  -DMESHPROOF_BUILD_BENCH=ON "${launcher[@]}" >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS"
(cd "$BUILD_DIR" && ctest --output-on-failure -j"$JOBS")
# The conformance counts (Istio builder and ambient goldens, docs/conformance.md) and the istioctl parity count
# (docs/istioctl-parity.md), printed for the CI log.
(cd "$BUILD_DIR" && ctest -R '^conformance:' -V 2>/dev/null | grep -E '(conformance|parity): [0-9]+/[0-9]+' || true)
phase_done "build + ctest"

# Phase 1b: the package, from the Release build a user makes (cpack strips the binary). Release compiles each
# layer as one translation unit (MESHPROOF_UNITY), so this phase also fails on two files of a layer that define
# the same name in an anonymous namespace, which the RelWithDebInfo build above cannot see.
if [[ "${PACKAGE_TEST:-1}" != 0 ]]; then
  BUILD_DIR="$PACKAGE_BUILD_DIR" bash scripts/package_test.sh
  phase_done "package"
fi

[[ "${SANITIZE:-1}" == 0 ]] && exit 0

# Phase 2: ASan + UBSan. One build directory serves the tests and the fuzzers (-DMESHPROOF_FUZZ=ON), so CI
# compiles the project twice, not three times. Z3, yaml-cpp and RE2 are Debian's, not instrumented.
cmake -S . -B "$ASAN_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-16 \
  -DMESHPROOF_FUZZ=ON -DMESHPROOF_BUILD_TESTS=ON -DMESHPROOF_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
cmake --build "$ASAN_BUILD_DIR" -j"$JOBS"
phase_done "sanitizer build"
source scripts/sanitizer-env.sh
# Tests labelled asan-slow are left out here (their reasons: test/CMakeLists.txt); they ran in phase 1.
(cd "$ASAN_BUILD_DIR" && ctest --output-on-failure -j"$JOBS" -LE asan-slow)
phase_done "sanitizer ctest"

# Phase 3: the fuzz smoke run.
if [[ "${FUZZ_SMOKE_SECONDS:-60}" != 0 ]]; then
  FUZZ_BUILD_DIR="$ASAN_BUILD_DIR" bash scripts/fuzz.sh smoke "${FUZZ_SMOKE_SECONDS:-60}"
  phase_done "fuzz smoke"
fi
