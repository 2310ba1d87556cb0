# Sample projects for RSpec (sourced by capture-runner-fixtures.sh), from Debian's ruby-rspec.
# Shapes: passing = 4 passing examples in 2 files; failing = 3 passing and 2 failing; skipping =
# 2 passing, 1 xit, 1 skip and 1 pending (a pending example runs and is expected to fail);
# empty = a spec directory without examples.

capture_rspec() {
  ensure_apt ruby-rspec
  local dir
  dir=$(project rb-passing)
  mkdir -p "$dir/spec"
  cat >"$dir/spec/math_spec.rb" <<'EOF'
RSpec.describe 'math' do
  it('adds') { expect(1 + 1).to eq(2) }
  it('multiplies') { expect(2 * 3).to eq(6) }
  it('subtracts') { expect(5 - 3).to eq(2) }
end
EOF
  cat >"$dir/spec/text_spec.rb" <<'EOF'
RSpec.describe 'text' do
  it('joins') { expect(%w[a b].join).to eq('ab') }
end
EOF
  dir=$(project rb-failing)
  mkdir -p "$dir/spec"
  cat >"$dir/spec/math_spec.rb" <<'EOF'
RSpec.describe 'math' do
  it('adds') { expect(1 + 1).to eq(2) }
  it('multiplies') { expect(2 * 3).to eq(7) }
  it('subtracts') { expect(5 - 3).to eq(2) }
end
EOF
  cat >"$dir/spec/text_spec.rb" <<'EOF'
RSpec.describe 'text' do
  it('joins') { expect(%w[a b].join).to eq('ab') }
  it('splits') { expect('a,b'.split(',').length).to eq(3) }
end
EOF
  dir=$(project rb-skipping)
  mkdir -p "$dir/spec"
  cat >"$dir/spec/math_spec.rb" <<'EOF'
RSpec.describe 'math' do
  it('adds') { expect(1 + 1).to eq(2) }
  xit('multiplies') { expect(2 * 3).to eq(6) }
  it('subtracts') do
    skip 'not ready'
  end
end
EOF
  cat >"$dir/spec/text_spec.rb" <<'EOF'
RSpec.describe 'text' do
  it('joins') { expect(%w[a b].join).to eq('ab') }
  it('splits') do
    pending 'needs a parser'
    expect('a,b'.split(',').length).to eq(3)
  end
end
EOF
  dir=$(project rb-empty)
  mkdir -p "$dir/spec"
  echo '# no examples yet' >"$dir/spec/spec_helper.rb"

  local case
  for case in passing failing skipping empty; do
    capture rspec "$case" "$WORK/rb-$case" rspec
  done
  capture_color rspec failing-color "$WORK/rb-failing" rspec --force-color
  capture rspec passing-documentation "$WORK/rb-passing" rspec --format documentation
}
