#!/usr/bin/env bash
# The shell steps of the meshproof GitHub Action (action.yml at the top of the repository); tested by
# test/scripts/action_run_test.sh (ctest "scripts: action run.sh"). One subcommand per step:
#   run.sh key       prints key=<cache key> to $GITHUB_OUTPUT: the runner image and a hash of the meshproof
#                    sources the action was checked out with (so the cache changes exactly when they do)
#   run.sh install   installs meshproof: the cached .deb in $MESHPROOF_PKG_DIR if there is one, else the
#                    release .deb of $INPUT_VERSION, else builds the .deb from the action's own sources
#                    (Release, tool only) into $MESHPROOF_PKG_DIR for the cache
#   run.sh check     runs `meshproof check` once on $INPUT_PATHS and writes SARIF ($INPUT_SARIF), JUnit
#                    ($INPUT_JUNIT) and the Markdown summary (-o md) to $GITHUB_STEP_SUMMARY; prints the
#                    findings as text in the log; exit-code=<0..4> to $GITHUB_OUTPUT (the job fails in a
#                    later step, after the SARIF upload)
# Inputs come as environment variables, as action.yml passes them: INPUT_PATHS (space-separated),
# INPUT_PROFILE, INPUT_FAIL_ON, INPUT_BASELINE, INPUT_ARGS (extra flags), INPUT_VERSION, INPUT_SARIF,
# INPUT_JUNIT. MESHPROOF (default: meshproof on PATH) and APT (default: sudo apt-get when not root) can be
# replaced, which is how the test runs it.
set -euo pipefail
ACTION_DIR="${ACTION_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
MESHPROOF="${MESHPROOF:-meshproof}"
GITHUB_OUTPUT="${GITHUB_OUTPUT:-/dev/null}"
GITHUB_STEP_SUMMARY="${GITHUB_STEP_SUMMARY:-/dev/null}"
die() { echo "::error title=meshproof action::$*" >&2; exit 2; }

apt_cmd() {
  if [[ -n "${APT:-}" ]]; then $APT "$@"
  elif [[ $(id -u) == 0 ]]; then apt-get "$@"
  else sudo apt-get "$@"; fi
}

cmd_key() {
  local hash
  hash=$(cd "$ACTION_DIR" && find CMakeLists.txt cmake lib tools rules -type f -print0 | LC_ALL=C sort -z |
    xargs -0 sha256sum | sha256sum | cut -c1-16)
  echo "key=meshproof-deb-${ImageOS:-$(. /etc/os-release && echo "$ID$VERSION_ID")}-${INPUT_VERSION:-src}-$hash" >>"$GITHUB_OUTPUT"
}

build_deb() {
  local build="${RUNNER_TEMP:-/tmp}/meshproof-build"
  apt_cmd update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt_cmd install -y -qq --no-install-recommends build-essential cmake ninja-build \
    pkg-config dpkg-dev libcli11-dev libyaml-cpp-dev libre2-dev libz3-dev nlohmann-json3-dev >/dev/null
  cmake -S "$ACTION_DIR" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" --target meshproof meshproof_cli_docs
  (cd "$build" && cpack -G DEB >/dev/null)
  cp "$build"/meshproof_*.deb "$MESHPROOF_PKG_DIR/"
}

cmd_install() {
  : "${MESHPROOF_PKG_DIR:?}"
  mkdir -p "$MESHPROOF_PKG_DIR"
  if ! compgen -G "$MESHPROOF_PKG_DIR/meshproof_*.deb" >/dev/null; then
    if [[ -n "${INPUT_VERSION:-}" ]]; then
      local url="https://github.com/meshproof/meshproof/releases/download/v${INPUT_VERSION}/meshproof_${INPUT_VERSION}_amd64.deb"
      curl -fsSL -o "$MESHPROOF_PKG_DIR/meshproof_${INPUT_VERSION}_amd64.deb" "$url" || die "cannot download $url"
    else
      build_deb
    fi
  fi
  local deb
  deb=$(compgen -G "$MESHPROOF_PKG_DIR/meshproof_*.deb" | head -1)
  apt_cmd update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt_cmd install -y -qq --no-install-recommends "$deb"
  "$MESHPROOF" --version
}

# The flags every run shares, from the inputs.
check_args() {
  local -a paths
  read -r -a paths <<<"${INPUT_PATHS:-.}"
  ARGS=("${paths[@]}" --fail-on "${INPUT_FAIL_ON:-error}")
  [[ -n "${INPUT_PROFILE:-}" ]] && ARGS+=(--profile "$INPUT_PROFILE")
  [[ -n "${INPUT_BASELINE:-}" ]] && ARGS+=(--baseline "$INPUT_BASELINE")
  if [[ -n "${INPUT_ARGS:-}" ]]; then
    local -a extra
    read -r -a extra <<<"$INPUT_ARGS"
    ARGS+=("${extra[@]}")
  fi
}

cmd_check() {
  check_args
  local sarif="${INPUT_SARIF:-meshproof.sarif}" junit="${INPUT_JUNIT:-meshproof-junit.xml}"
  local summary code=0
  summary=$(mktemp)
  # One analysis writes every format: the text to the job log, the rest to files (written atomically, and
  # not at all when nothing could be analyzed).
  "$MESHPROOF" check "${ARGS[@]}" -o text -o "sarif=$sarif" -o "junit=$junit" -o "md=$summary" || code=$?
  echo "exit-code=$code" >>"$GITHUB_OUTPUT"
  if [[ ! -s "$summary" ]]; then
    echo "## meshproof: could not run (exit code $code); the job log has the errors" >>"$GITHUB_STEP_SUMMARY"
    rm -f "$summary"
    return 0
  fi
  cat "$summary" >>"$GITHUB_STEP_SUMMARY"
  rm -f "$summary"
  echo "sarif=$sarif" >>"$GITHUB_OUTPUT"
  echo "junit=$junit" >>"$GITHUB_OUTPUT"
}

case "${1:-}" in
  key) cmd_key ;;
  install) cmd_install ;;
  check) cmd_check ;;
  *) echo "usage: run.sh key|install|check" >&2; exit 2 ;;
esac
