#!/usr/bin/env bash
# Formats the project's C++ sources with .clang-format (Debian 12's clang-format). `--check` lists the files
# that are not formatted and exits 1, for CI.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'lib/*.cpp' 'lib/*.h' 'tools/*.cpp' 'tools/*.h' 'test/*.cpp' 'test/*.h' 'bench/*.cpp' 'bench/*.h' 'fuzz/*.cpp')
if [[ "${1:-}" == "--check" ]]; then
  bad=0
  for f in "${files[@]}"; do
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then echo "not formatted: $f"; bad=1; fi
  done
  exit $bad
fi
clang-format -i "${files[@]}"
