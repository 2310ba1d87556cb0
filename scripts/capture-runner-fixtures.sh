#!/usr/bin/env bash
# Regenerates test/fixtures/runner-output/<runner>/<case>.txt: the real output of real test runners
# on tiny sample projects, for the summary parsers in src/integrity/summary/. Each runner gets the
# cases `passing`, `failing`, `skipping` and `empty` (no tests), and `failing-color` where the
# runner can be made to print ANSI colours. The unit tests only read the stored files, so CI never
# needs these runners; run this script by hand (as root, with the npm registry and Debian apt
# reachable) when a runner's output format changes, then review the diff and the expected counts
# in test/unit/integrity/summary-fixtures.test.ts.
#
# Usage: bash scripts/capture-runner-fixtures.sh [runner ...]
#   runners: node-test vitest jest mocha pytest unittest go cargo surefire rspec minitest
#   (default: all)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/test/fixtures/runner-output"
WORK=$(mktemp -d /tmp/runner-fixtures.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# The project's own Node (24); the system one may be older and prints node:test output differently.
NODE="$ROOT/node_modules/.bin/node"
[ -x "$NODE" ] || NODE=$(command -v node)
export PATH="$(dirname "$NODE"):$PATH"

log() { printf '== %s\n' "$*" >&2; }

# capture RUNNER CASE DIR COMMAND...: runs COMMAND in DIR without colours and stores what it printed
# (stdout and stderr interleaved, as the harness's verification captures them). The temporary
# directory's name is replaced by /tmp/sample so that regenerating gives small diffs.
capture() {
  local runner=$1 case=$2 dir=$3
  shift 3
  mkdir -p "$OUT/$runner"
  log "$runner/$case: $*"
  (cd "$dir" && env -u FORCE_COLOR -u RUST_BACKTRACE NO_COLOR=1 TERM=dumb "$@" >"$WORK/out.txt" 2>&1) || true
  sed "s#$WORK#/tmp/sample#g" "$WORK/out.txt" >"$OUT/$runner/$case.txt"
}

# capture_color RUNNER CASE DIR COMMAND...: the same with colours forced on.
capture_color() {
  local runner=$1 case=$2 dir=$3
  shift 3
  mkdir -p "$OUT/$runner"
  log "$runner/$case: $*"
  (cd "$dir" && env -u NO_COLOR -u RUST_BACKTRACE FORCE_COLOR=1 TERM=xterm-256color "$@" >"$WORK/out.txt" 2>&1) || true
  sed "s#$WORK#/tmp/sample#g" "$WORK/out.txt" >"$OUT/$runner/$case.txt"
}

ensure_apt() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
  fi
}

NPM_DIR="$WORK/npm-runners"
ensure_npm_runners() {
  [ -d "$NPM_DIR/node_modules" ] && return
  mkdir -p "$NPM_DIR"
  log "npm install jest mocha vitest into $NPM_DIR"
  (cd "$NPM_DIR" && echo '{"private":true}' >package.json &&
    npm install --no-audit --no-fund --silent jest@30 mocha@12 vitest@4 >&2)
}

# project NAME: a fresh directory for one sample project; prints its path.
project() {
  local dir="$WORK/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  printf '%s' "$dir"
}

. "$ROOT/scripts/runner-fixtures/js.sh"
. "$ROOT/scripts/runner-fixtures/python.sh"
. "$ROOT/scripts/runner-fixtures/unittest.sh"
. "$ROOT/scripts/runner-fixtures/go.sh"
. "$ROOT/scripts/runner-fixtures/cargo.sh"
. "$ROOT/scripts/runner-fixtures/java.sh"
. "$ROOT/scripts/runner-fixtures/ruby.sh"
. "$ROOT/scripts/runner-fixtures/minitest.sh"

runners=("$@")
[ ${#runners[@]} -gt 0 ] || runners=(node-test vitest jest mocha pytest unittest go cargo surefire rspec minitest)
for runner in "${runners[@]}"; do
  case $runner in
    node-test) capture_node_test ;;
    vitest) capture_vitest ;;
    jest) capture_jest ;;
    mocha) capture_mocha ;;
    pytest) capture_pytest ;;
    unittest) capture_unittest ;;
    go) capture_go ;;
    cargo) capture_cargo ;;
    surefire) capture_surefire ;;
    rspec) capture_rspec ;;
    minitest) capture_minitest ;;
    *) echo "unknown runner: $runner" >&2 && exit 2 ;;
  esac
done
log "fixtures written under $OUT"
