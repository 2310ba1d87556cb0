# Sample projects for pytest (sourced by capture-runner-fixtures.sh). Debian's python3-pytest is
# used because the Python package index is not reachable from the machines this project runs on.
# Shapes: passing = 4 passing tests in 2 files; failing = 3 passing and 2 failing; skipping =
# 2 passing, 1 skip marker, 1 skipif and 1 xfail; empty = no test file.

capture_pytest() {
  ensure_apt python3-pytest
  local dir py=/usr/bin/python3
  dir=$(project py-passing)
  mkdir -p "$dir/tests"
  cat >"$dir/tests/test_math.py" <<'EOF'
def test_adds():
    assert 1 + 1 == 2


def test_multiplies():
    assert 2 * 3 == 6


def test_subtracts():
    assert 5 - 3 == 2
EOF
  cat >"$dir/tests/test_text.py" <<'EOF'
import unittest


class TextTest(unittest.TestCase):
    def test_joins(self):
        self.assertEqual("".join(["a", "b"]), "ab")
EOF
  dir=$(project py-failing)
  mkdir -p "$dir/tests"
  cat >"$dir/tests/test_math.py" <<'EOF'
def test_adds():
    assert 1 + 1 == 2


def test_multiplies():
    assert 2 * 3 == 7


def test_subtracts():
    assert 5 - 3 == 2
EOF
  cat >"$dir/tests/test_text.py" <<'EOF'
def test_joins():
    assert "".join(["a", "b"]) == "ab"


def test_splits():
    assert len("a,b".split(",")) == 3
EOF
  dir=$(project py-skipping)
  mkdir -p "$dir/tests"
  cat >"$dir/tests/test_math.py" <<'EOF'
import sys

import pytest


def test_adds():
    assert 1 + 1 == 2


@pytest.mark.skip(reason="not ready")
def test_multiplies():
    assert 2 * 3 == 6


@pytest.mark.skipif(sys.platform != "nowhere", reason="only on nowhere")
def test_subtracts():
    assert 5 - 3 == 2


@pytest.mark.xfail(reason="known bug")
def test_divides():
    assert 1 / 1 == 2


def test_joins():
    assert "".join(["a", "b"]) == "ab"
EOF
  dir=$(project py-empty)
  echo 'VALUE = 1' >"$dir/app.py"

  capture pytest passing "$WORK/py-passing" "$py" -m pytest
  capture pytest passing-quiet "$WORK/py-passing" "$py" -m pytest -q
  capture pytest failing "$WORK/py-failing" "$py" -m pytest
  capture_color pytest failing-color "$WORK/py-failing" "$py" -m pytest --color=yes
  capture pytest skipping "$WORK/py-skipping" "$py" -m pytest -rs
  capture pytest empty "$WORK/py-empty" "$py" -m pytest
}
