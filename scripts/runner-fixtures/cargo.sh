# Sample crates for cargo test (sourced by capture-runner-fixtures.sh). No dependencies, so they
# build offline. Each crate has unit tests in src/lib.rs, two integration-test files (two more
# test binaries) and a doc test, so the output has several "test result:" lines to add up.
# Shapes: passing = 5 passing tests; failing = 2 failing (in two binaries), 3 passing;
# skipping = 3 passing and 2 #[ignore]d; empty = a crate without any test.

cargo_crate() {
  local dir
  dir=$(project "$1")
  mkdir -p "$dir/src" "$dir/tests"
  printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n' "${1//-/_}" >"$dir/Cargo.toml"
  printf '%s' "$dir"
}

# cargo_lib DIR CRATE UNIT_TESTS: src/lib.rs with a documented add() (one doc test) and
# UNIT_TESTS in its test module.
cargo_lib() {
  cat >"$1/src/lib.rs" <<EOF
/// Adds two numbers.
///
/// \`\`\`
/// assert_eq!(${2}::add(1, 2), 3);
/// \`\`\`
pub fn add(a: i32, b: i32) -> i32 {
    a + b
}

#[cfg(test)]
mod tests {
    use super::*;
$3
}
EOF
}

cargo_samples() {
  local dir
  dir=$(cargo_crate cargo-passing)
  cargo_lib "$dir" cargo_passing '
    #[test]
    fn adds() { assert_eq!(add(1, 1), 2); }

    #[test]
    fn adds_zero() { assert_eq!(add(0, 0), 0); }'
  printf '#[test]\nfn adds_from_outside() { assert_eq!(cargo_passing::add(2, 2), 4); }\n' >"$dir/tests/outside.rs"
  printf '#[test]\nfn adds_negative() { assert_eq!(cargo_passing::add(-1, 1), 0); }\n' >"$dir/tests/negative.rs"

  dir=$(cargo_crate cargo-failing)
  cargo_lib "$dir" cargo_failing '
    #[test]
    fn adds() { assert_eq!(add(1, 1), 2); }

    #[test]
    fn adds_wrong() { assert_eq!(add(1, 1), 3, "expected 3"); }'
  printf '#[test]\nfn adds_from_outside() { assert_eq!(cargo_failing::add(2, 2), 5); }\n' >"$dir/tests/outside.rs"
  printf '#[test]\nfn adds_negative() { assert_eq!(cargo_failing::add(-1, 1), 0); }\n' >"$dir/tests/negative.rs"

  dir=$(cargo_crate cargo-skipping)
  cargo_lib "$dir" cargo_skipping '
    #[test]
    fn adds() { assert_eq!(add(1, 1), 2); }

    #[test]
    #[ignore]
    fn adds_slowly() { assert_eq!(add(1, 1), 2); }'
  printf '#[test]\n#[ignore = "flaky"]\nfn adds_from_outside() { assert_eq!(cargo_skipping::add(2, 2), 4); }\n' \
    >"$dir/tests/outside.rs"
  printf '#[test]\nfn adds_negative() { assert_eq!(cargo_skipping::add(-1, 1), 0); }\n' >"$dir/tests/negative.rs"

  dir=$(cargo_crate cargo-empty)
  printf 'pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n' >"$dir/src/lib.rs"
}

capture_cargo() {
  command -v cargo >/dev/null || { echo "cargo is not installed; skipping the cargo fixtures" >&2; return; }
  cargo_samples
  local case
  for case in passing failing skipping empty; do
    # Build first so that the captured output is the test run's, not the compiler's progress.
    (cd "$WORK/cargo-$case" && cargo build --tests --offline -q >/dev/null 2>&1) || true
  done
  for case in passing skipping empty; do
    capture cargo "$case" "$WORK/cargo-$case" cargo test --offline
  done
  # By default cargo stops at the first test binary that fails; --no-fail-fast runs them all.
  capture cargo failing "$WORK/cargo-failing" cargo test --offline
  capture cargo failing-no-fail-fast "$WORK/cargo-failing" cargo test --offline --no-fail-fast
  capture_color cargo failing-color "$WORK/cargo-failing" cargo test --offline --no-fail-fast --color=always
}
