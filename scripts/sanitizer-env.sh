# Sourced by scripts/test.sh and scripts/fuzz.sh: how the ASan + UBSan build reports (docs/ci.md).
# UBSan stops at its first report (the build also has -fno-sanitize-recover=all), so a report fails the test
# or the fuzz run it happens in; leaks are reported (LeakSanitizer) with the suppressions of
# fuzz/lsan.supp, each entry explained there.
_meshproof_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$_meshproof_root/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
if [[ -z "${ASAN_SYMBOLIZER_PATH:-}" && -x /usr/lib/llvm-16/bin/llvm-symbolizer ]]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-16/bin/llvm-symbolizer
fi
unset _meshproof_root
