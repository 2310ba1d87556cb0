# Sample modules for go test (sourced by capture-runner-fixtures.sh), Go from Debian's golang-go.
# Each module has two packages with tests and one without, so the plain output shows every kind of
# package line. Shapes: passing = 4 passing tests (one with 2 subtests); failing = 3 passing and
# 2 failing; skipping = 2 passing and 2 skipped (t.Skip, t.Skipf); empty = no test file.

go_module() {
  local dir
  dir=$(project "$1")
  mkdir -p "$dir/mathx" "$dir/textx" "$dir/cmd"
  printf 'module example.com/%s\n\ngo 1.19\n' "$1" >"$dir/go.mod"
  printf 'package mathx\n\nfunc Add(a, b int) int { return a + b }\n' >"$dir/mathx/mathx.go"
  printf 'package textx\n\nfunc Join(a, b string) string { return a + b }\n' >"$dir/textx/textx.go"
  printf 'package main\n\nfunc main() {}\n' >"$dir/cmd/main.go"
  printf '%s' "$dir"
}

capture_go() {
  ensure_apt golang-go
  local dir
  dir=$(go_module go-passing)
  cat >"$dir/mathx/mathx_test.go" <<'EOF'
package mathx

import "testing"

func TestAdd(t *testing.T) {
	if Add(1, 1) != 2 {
		t.Fatal("bad sum")
	}
}

func TestTable(t *testing.T) {
	for _, c := range []struct{ name string; a, b, want int }{{"small", 1, 2, 3}, {"zero", 0, 0, 0}} {
		t.Run(c.name, func(t *testing.T) {
			if Add(c.a, c.b) != c.want {
				t.Fatalf("Add(%d, %d)", c.a, c.b)
			}
		})
	}
}

func TestMultiply(t *testing.T) {
	if 2*3 != 6 {
		t.Fatal("bad product")
	}
}
EOF
  cat >"$dir/textx/textx_test.go" <<'EOF'
package textx

import "testing"

func TestJoin(t *testing.T) {
	if Join("a", "b") != "ab" {
		t.Fatal("bad join")
	}
}
EOF
  dir=$(go_module go-failing)
  cat >"$dir/mathx/mathx_test.go" <<'EOF'
package mathx

import "testing"

func TestAdd(t *testing.T) {
	if Add(1, 1) != 2 {
		t.Fatal("bad sum")
	}
}

func TestMultiply(t *testing.T) {
	if 2*3 != 7 {
		t.Fatal("expected 2 * 3 to be 7")
	}
}

func TestSubtract(t *testing.T) {
	if 5-3 != 2 {
		t.Fatal("bad difference")
	}
}
EOF
  cat >"$dir/textx/textx_test.go" <<'EOF'
package textx

import "testing"

func TestJoin(t *testing.T) {
	if Join("a", "b") != "ab" {
		t.Fatal("bad join")
	}
}

func TestSplit(t *testing.T) {
	t.Error("expected 3 parts")
}
EOF
  dir=$(go_module go-skipping)
  cat >"$dir/mathx/mathx_test.go" <<'EOF'
package mathx

import "testing"

func TestAdd(t *testing.T) {
	if Add(1, 1) != 2 {
		t.Fatal("bad sum")
	}
}

func TestMultiply(t *testing.T) {
	t.Skip("not ready")
}
EOF
  cat >"$dir/textx/textx_test.go" <<'EOF'
package textx

import "testing"

func TestJoin(t *testing.T) {
	if Join("a", "b") != "ab" {
		t.Fatal("bad join")
	}
}

func TestSplit(t *testing.T) {
	t.Skipf("needs %s", "a parser")
}
EOF
  go_module go-empty >/dev/null

  for case in passing failing skipping empty; do
    capture go-plain "$case" "$WORK/go-$case" go test ./...
    capture go-verbose "$case" "$WORK/go-$case" go test -v ./...
  done
  # A filter that matches nothing: the packages have tests, none of them ran.
  capture go-plain no-tests-to-run "$WORK/go-passing" go test -run '^NoSuchTest$' ./...
  capture go-verbose no-tests-to-run "$WORK/go-passing" go test -v -run '^NoSuchTest$' ./...
}
