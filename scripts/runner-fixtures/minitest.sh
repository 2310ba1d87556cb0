# Sample tests for Minitest, bundled with Debian's ruby (sourced by capture-runner-fixtures.sh).
# Shapes: passing = 4 passing tests; failing = 3 passing, 1 failure and 1 error; skipping =
# 2 passing and 2 skipped; empty = a test class without tests.

# mt_project NAME BODY: test/math_test.rb with the class body BODY.
mt_project() {
  local dir
  dir=$(project "$1")
  mkdir -p "$dir/test"
  printf "require 'minitest/autorun'\n\nclass MathTest < Minitest::Test\n%s\nend\n" "$2" >"$dir/test/math_test.rb"
}

capture_minitest() {
  ensure_apt ruby
  local case
  mt_project mt-passing "  def test_adds = assert_equal(2, 1 + 1)
  def test_multiplies = assert_equal(6, 2 * 3)
  def test_subtracts = assert_equal(2, 5 - 3)
  def test_joins = assert_equal('ab', %w[a b].join)"
  mt_project mt-failing "  def test_adds = assert_equal(2, 1 + 1)
  def test_multiplies = assert_equal(7, 2 * 3)
  def test_subtracts = assert_equal(2, 5 - 3)
  def test_joins = assert_equal('ab', %w[a b].join)
  def test_raises = raise('boom')"
  mt_project mt-skipping "  def test_adds = assert_equal(2, 1 + 1)
  def test_multiplies = skip('not ready')
  def test_subtracts = skip
  def test_joins = assert_equal('ab', %w[a b].join)"
  mt_project mt-empty ''

  for case in passing failing skipping empty; do
    # A fixed seed keeps the order of the tests, and so the fixture, stable.
    capture minitest "$case" "$WORK/mt-$case" ruby -Itest test/math_test.rb --seed 1
  done
}
