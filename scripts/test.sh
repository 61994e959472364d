#!/usr/bin/env bash
# Installs what is missing, builds everything (Release with assertions), runs every test through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --with-test-tools
BUILD_DIR="${BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
cd "$BUILD_DIR"
ctest --output-on-failure -j"$(nproc)"
# The conformance count against Istio's builder goldens (docs/conformance.md), printed for the CI log.
ctest -R '^conformance:' -V 2>/dev/null | grep -E 'conformance: [0-9]+/[0-9]+' || true
