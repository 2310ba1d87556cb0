import { describe, expect, it } from 'vitest';
import { parseShell } from '../../../src/guardrails/shell/parse.js';
import { ShellParseError, type ShellWord } from '../../../src/guardrails/shell/types.js';

/** A word as text: literals as themselves, `$NAME` for variables, `~` for tilde, `<?>` for the unknowable. */
function show(word: ShellWord): string {
  return word.parts
    .map((part) => {
      if (part.kind === 'literal') return part.text;
      if (part.kind === 'param') return `$${part.name}`;
      if (part.kind === 'tilde') return `~${part.user}`;
      return '<?>';
    })
    .join('');
}

/** Every simple command the text runs, as its words (redirections as `op target`). */
function commands(text: string): string[][] {
  return parseShell(text).map((command) => [
    ...command.assignments.map((a) => `${a.name}=${show(a.value)}`),
    ...command.words.map(show),
    ...command.redirects.map((r) => `${r.fd ?? ''}${r.op}${show(r.target)}`),
  ]);
}

describe('shell parser: words', () => {
  it('removes quotes and escapes the way bash does', () => {
    expect(commands(`git 'pu'"sh" o\\rigin "a b" $'\\x70ush' ""`)).toEqual([
      ['git', 'push', 'origin', 'a b', 'push', ''],
    ]);
    expect(commands('echo "a\\"b" \'c\\d\' "e\\f"')).toEqual([['echo', 'a"b', 'c\\d', 'e\\f']]);
    expect(commands('g\\\nit push')).toEqual([['git', 'push']]);
  });

  it('keeps variables, tildes and the unknowable apart', () => {
    expect(commands('rm -rf $DIR/x "${HOME}/y" ~/z ~bob/w ${x:-y} $1 $((1+2))')).toEqual([
      ['rm', '-rf', '$DIR/x', '$HOME/y', '~/z', '~bob/w', '<?>', '<?>', '<?>'],
    ]);
    expect(commands('echo a~b')).toEqual([['echo', 'a~b']]);
  });

  it('takes leading NAME=value words as assignments, later ones as arguments', () => {
    expect(commands('A=1 B="x y" git c=d')).toEqual([['A=1', 'B=x y', 'git', 'c=d']]);
    expect(commands('X=.git; arr=(a b)')).toEqual([['X=.git'], ['arr=<?>']]);
  });
});

describe('shell parser: structure', () => {
  it('splits on every separator', () => {
    expect(commands('a; b && c || d | e |& f & g\nh')).toEqual([
      ['a'],
      ['b'],
      ['c'],
      ['d'],
      ['e'],
      ['f'],
      ['g'],
      ['h'],
    ]);
  });

  it('marks commands that read a pipe', () => {
    expect(parseShell('a | b || c').map((c) => c.piped)).toEqual([false, true, false]);
  });

  it('finds commands inside substitutions, subshells and groups', () => {
    expect(commands('echo $(git push) "x`git reset --hard`y" && (cd .git; rm x) { ls; }')).toEqual([
      ['git', 'push'],
      ['git', 'reset', '--hard'],
      ['echo', '<?>', 'x<?>y'],
      ['cd', '.git'],
      ['rm', 'x'],
      ['ls'],
    ]);
    expect(commands('diff <(git show HEAD:a) >(tee x) ${y:-$(git push)}')).toEqual([
      ['git', 'show', 'HEAD:a'],
      ['tee', 'x'],
      ['git', 'push'],
      ['diff', '<?>', '<?>', '<?>'],
    ]);
  });

  it('gives subshells their own scope', () => {
    const [cd, rm, ls] = parseShell('(cd sub && rm x); ls');
    expect(rm!.scope).toEqual(cd!.scope);
    expect(ls!.scope.length).toBeLessThan(cd!.scope.length);
  });

  it('looks through control structures and function bodies', () => {
    expect(
      commands(
        'if git diff --quiet; then git push; elif true; then :; else ! git gc --prune; fi; f() { git clean -fd; }',
      ),
    ).toEqual([
      ['git', 'diff', '--quiet'],
      ['git', 'push'],
      ['true'],
      [':'],
      ['git', 'gc', '--prune'],
      ['git', 'clean', '-fd'],
    ]);
    expect(commands('for b in $(git branch); do git branch -D "$b"; done > log')).toEqual([
      ['git', 'branch'],
      ['git', 'branch', '-D', '$b'],
      ['>log'],
    ]);
    expect(commands('while read l; do echo "$l"; done < f; function g { rm -rf .git; }')).toEqual([
      ['read', 'l'],
      ['echo', '$l'],
      ['<f'],
      ['rm', '-rf', '.git'],
    ]);
    expect(commands('case "$x" in a|b) git push;; (c) rm y ;; *) : ;; esac; [[ -f a && $(git stash clear) ]]')).toEqual(
      [['git', 'push'], ['rm', 'y'], [':'], ['git', 'stash', 'clear']],
    );
    expect(commands('(( i++ )); time -p git log')).toEqual([['git', 'log']]);
  });

  it('reads redirections with and without descriptors', () => {
    expect(commands('cmd >a 2>>b &>c &>>d >|e <f 2>&1 >&g 3<>h <<<"here"')).toEqual([
      ['cmd', '>a', '2>>b', '&>c', '&>>d', '>|e', '<f', '2>&1', '>&g', '3<>h', '<<<here'],
    ]);
    expect(commands('echo x>.git/hooks/pre-commit')).toEqual([['echo', 'x', '>.git/hooks/pre-commit']]);
  });

  it('skips here-document bodies, but finds substitutions in unquoted ones', () => {
    expect(commands("cat > src/a.ts <<EOF\nconst a = 'git push';\nEOF\nls")).toEqual([
      ['cat', '>src/a.ts', '<<EOF'],
      ['ls'],
    ]);
    expect(commands('cat <<EOF > x\n$(git push)\n`rm -rf .git`\nEOF')).toEqual([
      ['cat', '<<EOF', '>x'],
      ['git', 'push'],
      ['rm', '-rf', '.git'],
    ]);
    expect(commands("cat <<'EOF'\n$(git push)\nEOF")).toEqual([['cat', '<<EOF']]);
    expect(commands('cat <<-EOF; echo after\n\tbody\n\tEOF\nls')).toEqual([
      ['cat', '<<-EOF'],
      ['echo', 'after'],
      ['ls'],
    ]);
    const [cat] = parseShell('bash <<EOF\ngit push\nEOF');
    expect(cat!.redirects[0]!.heredoc).toBe('git push');
  });

  it('ignores comments', () => {
    expect(commands('ls # git push\necho "#not" a#b')).toEqual([['ls'], ['echo', '#not', 'a#b']]);
  });

  it('refuses what it cannot read', () => {
    for (const bad of ['echo "open', "echo 'open", 'echo $(git push', '(ls', 'ls )', 'echo `x', 'echo >', 'a ;; b'])
      expect(() => parseShell(bad), bad).toThrow(ShellParseError);
  });
});
