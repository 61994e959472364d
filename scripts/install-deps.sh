#!/usr/bin/env bash
# Installs the Debian 12 packages meshproof needs to build and test. Idempotent: installs only what is
# missing, so a second run does nothing. Must run as root (or with sudo available).
set -euo pipefail

build_pkgs=(build-essential cmake ninja-build pkg-config git
            libcli11-dev libyaml-cpp-dev libre2-dev libz3-dev nlohmann-json3-dev catch2 libbenchmark-dev)
# Used by tests: SARIF schema validation (python3-jsonschema), JUnit parsing (python3), report rendering
# (chromium: the auditor report's HTML is rendered headless to a PNG and printed to a PDF; ~140 MB download,
# about 70 s to install on Debian 12; poppler-utils: pdftotext reads the printed PDF's text back; the render
# tests are skipped, or check less, with a message when they are absent).
# clang-16 builds the sanitizer test suite and the fuzz targets (Debian's default clang 14 cannot compile
# lib/engine); libclang-rt-16-dev holds its ASan, UBSan and libFuzzer runtimes; llvm-16 its llvm-symbolizer
# (symbolized sanitizer reports); ccache keeps the second build cheap when sources did not change.
# debootstrap makes the fresh Debian root scripts/package_test.sh installs the package into; dpkg-dev holds
# dpkg-shlibdeps, which writes the package's Depends (CPack).
test_pkgs=(python3 python3-jsonschema chromium poppler-utils clang-16 libclang-rt-16-dev llvm-16 ccache debootstrap dpkg-dev)
# Used by scripts/bench-scale.sh (docs/performance.md): gnuplot renders the time/memory plot, GNU time
# (/usr/bin/time -v) measures peak RSS.
bench_pkgs=(gnuplot-nox time)
want=("${build_pkgs[@]}")
for arg in "$@"; do
  case "$arg" in
    --with-test-tools) want+=("${test_pkgs[@]}") ;;
    --with-bench-tools) want+=("${bench_pkgs[@]}") ;;
    *) echo "usage: install-deps.sh [--with-test-tools] [--with-bench-tools]" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
