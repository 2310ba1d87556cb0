# Sample projects for Python's own unittest runner (sourced by capture-runner-fixtures.sh).
# Shapes: passing = 4 passing tests; failing = 3 passing, 1 failure and 1 error; skipping =
# 2 passing, 2 skipped (decorator and skipTest) and 1 expected failure; empty = no test module.

# ut_project NAME BODY: a tests package with one module holding the class body BODY.
ut_project() {
  local dir
  dir=$(project "$1")
  mkdir -p "$dir/tests"
  touch "$dir/tests/__init__.py"
  printf 'import unittest\n\n\nclass MathTest(unittest.TestCase):\n%s\n' "$2" >"$dir/tests/test_math.py"
}

capture_unittest() {
  local py=/usr/bin/python3 case
  local adds='    def test_adds(self):
        self.assertEqual(1 + 1, 2)
'
  local joins='    def test_joins(self):
        self.assertEqual("".join(["a", "b"]), "ab")
'
  ut_project ut-passing "$adds
    def test_multiplies(self):
        self.assertEqual(2 * 3, 6)

    def test_subtracts(self):
        self.assertEqual(5 - 3, 2)

$joins"
  ut_project ut-failing "$adds
    def test_multiplies(self):
        self.assertEqual(2 * 3, 7)

    def test_subtracts(self):
        self.assertEqual(5 - 3, 2)

    def test_raises(self):
        raise RuntimeError(\"boom\")

$joins"
  ut_project ut-skipping "$adds
    @unittest.skip(\"not ready\")
    def test_multiplies(self):
        self.assertEqual(2 * 3, 6)

    def test_subtracts(self):
        self.skipTest(\"needs a fixture\")

    @unittest.expectedFailure
    def test_divides(self):
        self.assertEqual(1 / 1, 2)

$joins"
  project ut-empty >/dev/null
  echo 'VALUE = 1' >"$WORK/ut-empty/app.py"

  for case in passing failing skipping empty; do
    capture unittest "$case" "$WORK/ut-$case" "$py" -m unittest
  done
  capture unittest passing-verbose "$WORK/ut-passing" "$py" -m unittest -v
}
