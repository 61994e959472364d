#!/usr/bin/env bash
# Builds the Debian package and proves it installs and runs where nothing of the build is present
# (issue #17; docs/ci.md, "meshproof's own CI"):
#   1. the package: `cpack -G DEB` in $BUILD_DIR (configured here, tool only, Release, when it has no cache);
#      its control file declares the shared libraries' packages (dpkg-shlibdeps) and it holds the binary,
#      the profiles, the man page and the three completions;
#   2. a fresh root: a minimal Debian 12 made with `debootstrap --variant=minbase` (cached pristine in
#      $PACKAGE_ROOT_CACHE, copied for every run), where `apt-get install ./meshproof_*.deb` must pull the
#      runtime dependencies from the Debian archive by itself: a missing Depends fails the run here;
#   3. `cmake --install` installs the same files as the package;
#   4. in that root: `meshproof check` of samples/hospital gives the same JSON as the build tree's binary,
#      `--profile hipaa` is found by name in /usr/share/meshproof/profiles, the man page renders and the
#      bash completion loads.
# Without root or debootstrap (a developer's laptop) it falls back to `dpkg-deb -x` into an empty directory
# plus `apt-get install --simulate` of the package on this system, and says so: weaker, since this system
# already has the build's libraries; also when debootstrap fails (no network, a container without the
# privileges), with a warning. PACKAGE_ROOT=extract forces the fallback, PACKAGE_ROOT=debootstrap forbids it.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
BUILD_DIR="${BUILD_DIR:-build-package}"
WORK="${PACKAGE_WORK:-$BUILD_DIR/package-test}"
ROOT_CACHE="${PACKAGE_ROOT_CACHE:-$HOME/.cache/meshproof/bookworm-minbase}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
die() { echo "package_test: FAIL: $*" >&2; exit 1; }
say() { echo "package_test: $*"; }

build_package() {
  if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    local launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
  fi
  cmake --build "$BUILD_DIR" -j"${JOBS:-$(nproc)}" --target meshproof meshproof_cli_docs
  rm -f "$BUILD_DIR"/meshproof_*.deb
  (cd "$BUILD_DIR" && cpack -G DEB >/dev/null)
  DEB=$(ls "$BUILD_DIR"/meshproof_*.deb) || die "cpack wrote no meshproof_*.deb"
  DEB=$(cd "$(dirname "$DEB")" && pwd)/$(basename "$DEB")
  say "built $DEB ($(du -h "$DEB" | cut -f1))"
}

check_contents() {
  local depends files
  depends=$(dpkg-deb -f "$DEB" Depends)
  say "Depends: $depends"
  for lib in libc6 libstdc++6 libz3 libyaml-cpp libre2; do
    [[ "$depends" == *"$lib"* ]] || die "Depends lacks $lib"
  done
  files=$(dpkg-deb -c "$DEB" | awk '{print $6}')
  for f in ./usr/bin/meshproof ./usr/share/meshproof/profiles/hipaa.yaml ./usr/share/meshproof/profiles/default.yaml \
    ./usr/share/man/man1/meshproof.1 ./usr/share/bash-completion/completions/meshproof \
    ./usr/share/zsh/vendor-completions/_meshproof ./usr/share/fish/vendor_completions.d/meshproof.fish; do
    grep -qxF "$f" <<<"$files" || die "the package lacks $f"
  done
}

# `cmake --install` installs the same files as the package (both under /usr here; under another prefix
# only the zsh directory differs: site-functions instead of vendor-completions).
check_cmake_install() {
  local dest="$WORK/cmake-install"
  rm -rf "$dest"
  DESTDIR="$dest" cmake --install "$BUILD_DIR" --prefix /usr >/dev/null
  diff <(cd "$dest" && find . -type f | sort) <(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ {print $6}' | sort) ||
    die "cmake --install and the package install different files"
  DESTDIR="$dest/local" cmake --install "$BUILD_DIR" --prefix /usr/local >/dev/null
  [[ -f "$dest/local/usr/local/share/zsh/site-functions/_meshproof" ]] || die "zsh completion under /usr/local"
  say "cmake --install installs the package's files"
}

# A fresh root: a copy of a pristine debootstrap (made once, then reused from the cache).
make_root() {
  if [[ ! -x "$ROOT_CACHE/usr/bin/apt-get" ]]; then
    say "debootstrap --variant=minbase bookworm into $ROOT_CACHE (once; cached)"
    rm -rf "$ROOT_CACHE.tmp" && mkdir -p "$(dirname "$ROOT_CACHE")"
    if ! debootstrap --variant=minbase bookworm "$ROOT_CACHE.tmp" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
      tail -20 "$WORK/debootstrap.log" >&2
      [[ "$MODE" == debootstrap ]] && die "debootstrap failed"
      echo "package_test: WARNING: debootstrap failed (no network or no privileges?); falling back" >&2
      return 1
    fi
    mv "$ROOT_CACHE.tmp" "$ROOT_CACHE"
  fi
  ROOT="$WORK/root"
  rm -rf "$ROOT" && cp -a "$ROOT_CACHE" "$ROOT"
  cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
}

in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

install_in_root() {
  cp "$DEB" "$ROOT/tmp/"
  mkdir -p "$ROOT/tmp/sample" && cp -r samples/hospital/. "$ROOT/tmp/sample/"
  in_root apt-get update -qq >"$WORK/apt.log" 2>&1 || { tail "$WORK/apt.log" >&2; die "apt-get update in the root"; }
  in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "/tmp/$(basename "$DEB")" >>"$WORK/apt.log" 2>&1 || { tail -20 "$WORK/apt.log" >&2; die "apt-get install ./deb"; }
  say "apt-get install ./$(basename "$DEB") in a fresh bookworm root: ok ($(grep -c '^Setting up' "$WORK/apt.log" || true) packages set up)"
  RUN=(in_root /usr/bin/meshproof)
  SAMPLE=/tmp/sample
}

# The fallback: the package's files in an empty directory, run with this system's libraries.
extract_only() {
  say "no fresh root (needs root and debootstrap): dpkg-deb -x and apt-get install --simulate instead"
  ROOT="$WORK/extract" && rm -rf "$ROOT" && mkdir -p "$ROOT"
  dpkg-deb -x "$DEB" "$ROOT"
  apt-get install --simulate -qq "$DEB" >"$WORK/apt-simulate.log" 2>&1 ||
    { cat "$WORK/apt-simulate.log" >&2; die "apt-get install --simulate"; }
  RUN=("$ROOT/usr/bin/meshproof")
  SAMPLE="$SRC/samples/hospital"
}

run_checks() {
  local out code=0
  "${RUN[@]}" --version | grep -q '^meshproof ' || die "meshproof --version"
  out=$("${RUN[@]}" check "$SAMPLE" -o json) || code=$?
  ((code <= 1)) || die "meshproof check exited $code"
  local expected_code=0
  expected=$("$BUILD_DIR/meshproof" check samples/hospital -o json) || expected_code=$?
  [[ "$code" == "$expected_code" ]] || die "exit code $code, the build tree's binary gives $expected_code"
  # The paths differ (/tmp/sample vs samples/hospital); everything else must not.
  [[ "${out//$SAMPLE/samples/hospital}" == "$expected" ]] || die "check output differs from the build tree's"
  say "meshproof check on samples/hospital from the package: exit $code, same JSON as the build tree"
  code=0
  out=$("${RUN[@]}" check "$SAMPLE" --profile hipaa -o json 2>&1) || code=$?
  ((code <= 1)) || die "--profile hipaa exited $code: $out"
  code=0
  out=$("${RUN[@]}" report "$SAMPLE" --profile hipaa -o json 2>&1) || code=$?
  grep -q '/usr/share/meshproof/profiles/hipaa.yaml' <<<"$out" || die "report --profile hipaa did not use the installed profile"
  say "--profile hipaa: found /usr/share/meshproof/profiles/hipaa.yaml"
}

check_docs() {
  if [[ -n "${RUN_IN_ROOT:-}" ]]; then
    in_root bash -c 'source /usr/share/bash-completion/completions/meshproof && complete -p meshproof' >/dev/null ||
      die "the bash completion does not load"
    grep -q 'meshproof check' "$ROOT/usr/share/man/man1/meshproof.1" || die "man page"
  else
    bash -c "source '$ROOT/usr/share/bash-completion/completions/meshproof' && complete -p meshproof" >/dev/null ||
      die "the bash completion does not load"
  fi
  if command -v zsh >/dev/null; then zsh -n "$ROOT/usr/share/zsh/vendor-completions/_meshproof" || die "zsh completion"; fi
  if command -v fish >/dev/null; then
    fish -n "$ROOT/usr/share/fish/vendor_completions.d/meshproof.fish" || die "fish completion"
  fi
  if command -v man >/dev/null; then
    MANWIDTH=100 man -l "$ROOT/usr/share/man/man1/meshproof.1" 2>&1 >/dev/null | grep . && die "man reports problems"
  fi
  say "man page renders, completions load (bash) and parse (zsh, fish, where installed)"
}

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
build_package
check_contents
check_cmake_install
RUN_IN_ROOT=""
MODE="${PACKAGE_ROOT:-auto}"  # auto: a fresh root when possible; debootstrap: a fresh root or fail; extract
if [[ "$MODE" != extract && $(id -u) == 0 ]] && command -v debootstrap >/dev/null && make_root; then
  install_in_root
  RUN_IN_ROOT=1
elif [[ "$MODE" == debootstrap ]]; then
  die "PACKAGE_ROOT=debootstrap needs root and debootstrap"
else
  extract_only
fi
run_checks
check_docs
say "ok"
