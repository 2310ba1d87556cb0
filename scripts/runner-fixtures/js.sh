# Sample projects for the JavaScript runners (sourced by capture-runner-fixtures.sh).
# Every runner gets the same shape: passing = 4 passing tests in 2 files; failing = 3 passing and
# 2 failing; skipping = 2 passing, 2 skipped and 1 todo; empty = no test file at all.

# js_cases HEADER SKIP TODO: writes the four cases into $WORK/js-<case>/ with HEADER as the first
# line of every test file, SKIP as the way to skip a test and TODO as the way to declare a todo.
js_cases() {
  local header=$1 skip=$2 todo=$3 dir
  dir=$(project js-passing)
  cat >"$dir/math.test.js" <<EOF
$header
describe('math', () => {
  it('adds', () => { if (1 + 1 !== 2) throw new Error('bad sum'); });
  it('multiplies', () => { if (2 * 3 !== 6) throw new Error('bad product'); });
  it('subtracts', () => { if (5 - 3 !== 2) throw new Error('bad difference'); });
});
EOF
  cat >"$dir/text.test.js" <<EOF
$header
describe('text', () => {
  it('joins', () => { if (['a', 'b'].join('') !== 'ab') throw new Error('bad join'); });
});
EOF
  dir=$(project js-failing)
  cat >"$dir/math.test.js" <<EOF
$header
describe('math', () => {
  it('adds', () => { if (1 + 1 !== 2) throw new Error('bad sum'); });
  it('multiplies', () => { if (2 * 3 !== 7) throw new Error('expected 2 * 3 to be 7'); });
  it('subtracts', () => { if (5 - 3 !== 2) throw new Error('bad difference'); });
});
EOF
  cat >"$dir/text.test.js" <<EOF
$header
describe('text', () => {
  it('joins', () => { if (['a', 'b'].join('') !== 'ab') throw new Error('bad join'); });
  it('splits', () => { if ('a,b'.split(',').length !== 3) throw new Error('expected 3 parts'); });
});
EOF
  dir=$(project js-skipping)
  cat >"$dir/math.test.js" <<EOF
$header
describe('math', () => {
  it('adds', () => { if (1 + 1 !== 2) throw new Error('bad sum'); });
  $skip
  it('subtracts', () => { if (5 - 3 !== 2) throw new Error('bad difference'); });
});
EOF
  cat >"$dir/text.test.js" <<EOF
$header
describe('text', () => {
  ${skip//multiplies/splits}
  $todo
});
EOF
  project js-empty >/dev/null
  echo '// no tests yet' >"$WORK/js-empty/index.js"
  # Jest looks for a package.json to find the project's root.
  for dir in "$WORK"/js-*; do echo '{"private":true}' >"$dir/package.json"; done
}

capture_js_runner() {
  local runner=$1
  shift
  capture "$runner" passing "$WORK/js-passing" "$@"
  capture "$runner" failing "$WORK/js-failing" "$@"
  capture_color "$runner" failing-color "$WORK/js-failing" "$@"
  capture "$runner" skipping "$WORK/js-skipping" "$@"
  capture "$runner" empty "$WORK/js-empty" "$@"
}

capture_node_test() {
  js_cases "const { describe, it } = require('node:test');" \
    "it('multiplies', { skip: true }, () => {});" \
    "it('formats', { todo: true }, () => {});"
  # node:test also has t.skip() inside a running test: one of the two skips uses it.
  sed -i "s/it('splits', { skip: true }, () => {});/it('splits', (t) => { t.skip('not ready'); });/" \
    "$WORK/js-skipping/text.test.js"
  capture_js_runner node-test-spec "$NODE" --test --test-reporter=spec
  capture_js_runner node-test-tap "$NODE" --test --test-reporter=tap
}

capture_vitest() {
  ensure_npm_runners
  js_cases "import { describe, it } from 'vitest';" \
    "it.skip('multiplies', () => {});" \
    "it.todo('formats');"
  for dir in "$WORK"/js-*; do echo '{"private":true,"type":"module"}' >"$dir/package.json"; done
  # An empty project makes Vitest exit 1 ("No test files found"), which is its real behaviour.
  capture_js_runner vitest "$NPM_DIR/node_modules/.bin/vitest" run
}

capture_jest() {
  ensure_npm_runners
  js_cases "" "it.skip('multiplies', () => {});" "it.todo('formats');"
  capture_js_runner jest "$NPM_DIR/node_modules/.bin/jest" --ci
  # Jest's "no tests" exit is an error unless told otherwise; record that form too.
  capture jest empty-pass-with-no-tests "$WORK/js-empty" "$NPM_DIR/node_modules/.bin/jest" --ci --passWithNoTests
}

capture_mocha() {
  ensure_npm_runners
  # Mocha has no todo: a test without a body is "pending", which it counts with the skipped ones.
  js_cases "" "it.skip('multiplies', () => {});" "it('formats');"
  capture_js_runner mocha "$NPM_DIR/node_modules/.bin/mocha" '*.test.js'
}
