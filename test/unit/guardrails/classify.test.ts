/**
 * The command classifier against a real repository: every rule, played in several disguises, and
 * the honest commands an agent needs, which must pass.
 */
import { mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyToolCall } from '../../../src/guardrails/classify/classify.js';
import { factsFromContext, type GuardFacts } from '../../../src/guardrails/classify/facts.js';
import type { GuardContextInput } from '../../../src/guardrails/context.js';
import { repositoryOracle } from '../../../src/guardrails/git-oracle.js';
import type { GuardrailRule } from '../../../src/guardrails/rules.js';
import { gitSync, writeFiles } from '../../helpers/git-repo.js';

let repo: string;
let facts: GuardFacts;

async function setup(overrides: Partial<GuardContextInput> = {}): Promise<GuardFacts> {
  const start = gitSync(repo, 'rev-parse', 'HEAD~1').trim();
  const context = {
    version: 1 as const,
    mode: 'enforce' as const,
    repoRoot: repo,
    gitDir: path.join(repo, '.git'),
    gitCommonDir: path.join(repo, '.git'),
    runtimeDir: path.join(repo, '.pi-harness'),
    startCommit: start,
    preDirty: ['user-notes.md', 'docs/user.md'],
    ...overrides,
  };
  return factsFromContext(
    {
      protectedDirs: [],
      ignoredAtStart: [],
      allow: [],
      deny: [],
      ...context,
    } as never,
    { HOME: '/home/agent', PATH: process.env.PATH },
    repositoryOracle(context.startCommit),
  );
}

beforeAll(async () => {
  // Outside the system temp directory, so that `..` is outside as far as the guard is concerned.
  repo = mkdtempSync(path.join('/var/tmp', 'pi-harness-classify-'));
  gitSync(repo, 'init', '-q', '-b', 'main');
  await writeFiles(repo, { 'a.ts': 'a\n', 'user-notes.md': 'notes\n', 'docs/user.md': 'u\n' });
  gitSync(repo, 'add', '-A');
  // main: the user's commit, then the iteration's start commit, then one commit of the iteration.
  gitSync(repo, 'commit', '-qm', 'initial');
  gitSync(repo, 'commit', '--allow-empty', '-qm', 'start of the iteration');
  gitSync(repo, 'commit', '--allow-empty', '-qm', 'the iteration commits');
  gitSync(repo, 'branch', 'other');
  await mkdir(path.join(repo, '.pi-harness'), { recursive: true });
  await writeFile(path.join(repo, 'a.ts'), 'changed by the iteration\n');
  facts = await setup();
});

afterAll(() => rm(repo, { recursive: true, force: true }));

async function rulesFor(command: string, f: GuardFacts = facts): Promise<GuardrailRule[]> {
  const violations = await classifyToolCall({ toolName: 'bash', input: { command }, cwd: repo }, f);
  return [...new Set(violations.map((v) => v.rule))];
}

async function expectBlocked(rule: GuardrailRule, commands: readonly string[]): Promise<void> {
  for (const command of commands) expect(await rulesFor(command), command).toContain(rule);
}

async function expectAllowed(commands: readonly string[]): Promise<void> {
  for (const command of commands) expect(await rulesFor(command), command).toEqual([]);
}

describe('git rules', () => {
  it('git push, in every disguise', async () => {
    await expectBlocked('git-push', [
      'git push',
      'git push origin main --force',
      "sh -c 'git push'",
      'bash -lc "git push origin HEAD"',
      'bash -e -o pipefail -c "cd . && git push"',
      'git -C . push',
      'git -C /elsewhere push',
      '/usr/bin/git push',
      'env git push',
      'env -i PATH=/usr/bin git push',
      'command git push',
      'exec git push',
      'nohup git push',
      'timeout -s KILL 5 git push',
      'sudo -u root git push',
      'echo origin | xargs git push',
      'echo x | xargs -I{} git push {}',
      'true; git push',
      'true && git push',
      'false || git push',
      'echo | git push',
      '(git push)',
      '{ git push; }',
      'echo $(git push)',
      'echo "$(git push)"',
      'echo `git push`',
      'g\'i\'t p"us"h',
      'g\\it pu\\sh',
      "$'git' $'\\x70ush'",
      'git -c user.name=x push',
      'git --git-dir=.git --work-tree=. push',
      'git --git-dir .git push',
      'git --no-pager push',
      'G=git; $G push',
      'export SUB=push; git $SUB',
      'eval git push',
      'eval "git push"',
      'bash -c "sh -c \'git push\'"',
      'bash <<EOF\ngit push\nEOF',
      'bash <<< "git push"',
      'if true; then git push; fi',
      'for i in 1; do git push; done',
      'find . -maxdepth 0 -exec git push \\;',
      'watch -n 1 git push',
      'env -S "git push"',
      'git send-pack ../remote.git main',
    ]);
  });

  it('opaque commands are refused rather than guessed', async () => {
    await expectBlocked('opaque-command', [
      'echo git push | sh',
      'git $(echo push)',
      'bash -c "$(cat script)"',
      'eval "$X"',
    ]);
    await expectBlocked('unparsable-command', ['git push "unterminated', 'echo $(git push']);
  });

  it('git reset: only --soft within the iteration, and index-only path resets', async () => {
    await expectBlocked('git-reset', [
      'git reset --hard',
      'git reset --hard HEAD~1',
      'bash -lc "git reset --hard HEAD~1"',
      'git reset HEAD~2',
      'git reset --mixed HEAD',
      'git reset --keep HEAD~1',
      'git reset --merge',
      'git reset --soft HEAD~2',
      'git reset --soft main~2',
      'git reset --soft $(git rev-parse HEAD~1)',
    ]);
    await expectAllowed([
      'git reset --soft HEAD~1',
      'git reset --soft HEAD',
      'git reset --soft',
      'git reset -- a.ts',
      'git reset HEAD -- a.ts',
      'git reset a.ts',
      'git reset -q -- user-notes.md',
    ]);
  });

  it('git rebase, switch and checkout of another branch', async () => {
    await expectBlocked('git-rebase', [
      'git rebase main',
      'git rebase -i HEAD~2',
      'git rebase --abort',
      'git pull --rebase && git rebase x',
    ]);
    await expectBlocked('git-switch', [
      'git switch other',
      'git switch -c new',
      'git switch --detach HEAD~1',
      'git switch -',
    ]);
    await expectBlocked('git-checkout', [
      'git checkout other',
      'git checkout -b new',
      'git checkout HEAD~1',
      'git checkout --detach',
      'git checkout -f',
      'git checkout .',
      'git checkout -- .',
      'git checkout -- user-notes.md',
      'git checkout HEAD -- docs',
      "git checkout -- '*.md'",
      'git checkout -- ../outside.txt',
      'git checkout -- :/user-notes.md',
      'cd docs && git checkout -- user.md',
      'git -C docs checkout -- .',
      'git restore user-notes.md',
      'git restore --source=HEAD~1 --worktree docs/user.md',
      'git restore .',
    ]);
    await expectAllowed([
      'git checkout -- a.ts',
      'git checkout HEAD -- a.ts',
      'git checkout a.ts',
      'git checkout main',
      'git switch main',
      'git restore a.ts',
      'git restore --staged user-notes.md',
      'git checkout -- src/new.ts',
    ]);
  });

  it('branches, tags, stash, clean, refs, reflog, gc, filter-branch, worktrees', async () => {
    await expectBlocked('git-branch', [
      'git branch -d other',
      'git branch -D other',
      'git -C . branch -D x',
      'git branch --delete other',
      'git branch -m other renamed',
      'git branch -M other',
      'git branch -f main HEAD~2',
      'git branch -vD other',
      'git branch -u origin/main',
    ]);
    await expectBlocked('git-tag', ['git tag -d v1', 'git tag --delete v1', 'git tag -f v1 HEAD']);
    await expectBlocked('git-stash', [
      'git stash drop',
      'git stash clear',
      'git stash pop',
      'git stash drop stash@{1}',
      'git stash -q pop',
    ]);
    await expectBlocked('git-clean', ['git clean -fdx', 'git clean -f', 'git clean -ffdX -- .', 'git -C .. clean -fd']);
    await expectBlocked('git-update-ref', [
      'git update-ref -d refs/pi-harness/rescue/x',
      'git update-ref refs/heads/main HEAD~3',
      'git symbolic-ref HEAD refs/heads/other',
      'git symbolic-ref --delete HEAD',
    ]);
    await expectBlocked('git-reflog', ['git reflog expire --expire=now --all', 'git reflog delete stash@{0}']);
    await expectBlocked('git-gc', ['git gc --prune=now', 'git gc --prune', 'git prune']);
    await expectBlocked('git-filter-branch', ['git filter-branch --tree-filter true HEAD', 'git filter-repo --force']);
    await expectBlocked('git-worktree', ['git worktree remove ../wt', 'git worktree prune']);
    await expectAllowed([
      'git branch',
      'git branch -a',
      'git branch --list',
      'git branch new-topic',
      'git branch --show-current',
      'git tag',
      'git tag -l',
      'git stash',
      'git stash list',
      'git stash show -p',
      'git stash apply',
      'git stash push -m wip',
      'git clean -n',
      'git clean --dry-run -d',
      'git reflog',
      'git reflog show main',
      'git gc',
      'git symbolic-ref HEAD',
      'git worktree list',
    ]);
  });

  it('git config writes and overrides; reads pass', async () => {
    await expectBlocked('git-config', [
      'git config user.name x',
      'git config --global user.name x',
      'git config --unset core.hooksPath',
      'git config --add remote.origin.url x',
      'git config set core.editor vi',
      'git config --replace-all a.b c',
      'git config -f .git/config a.b c',
      'git remote add evil https://example.test/x.git',
      'git remote set-url origin x',
    ]);
    await expectBlocked('git-config-override', [
      'git -c core.hooksPath=.git/hooks commit -m x',
      'git -c alias.st=push st',
      'git -c url.x.pushInsteadOf=y push',
      'git --config-env=core.hooksPath=H commit',
      'GIT_CONFIG_COUNT=0 git commit -m x',
      'env -u GIT_CONFIG_COUNT git commit -m x',
      'env -i git commit -m x',
      'unset GIT_ALLOW_PROTOCOL',
      'export GIT_CONFIG_PARAMETERS=x',
      'GIT_CONFIG_GLOBAL=/tmp/x npm test',
    ]);
    await expectAllowed([
      'git config user.name',
      'git config --get user.email',
      'git config --list',
      'git config -l --show-origin',
      'git config get user.name',
      'git remote -v',
      'git -c color.ui=never log',
      'git -c core.quotepath=off status',
    ]);
  });

  it('git commit --amend only of an iteration commit', async () => {
    await expectAllowed(['git commit --amend --no-edit', 'git commit -m "fix" --amend']);
    const userFacts = await setup({ startCommit: gitSync(repo, 'rev-parse', 'HEAD').trim() });
    expect(await rulesFor('git commit --amend -m x', userFacts)).toEqual(['git-amend']);
    expect(await rulesFor('bash -c "git commit --amend --no-edit"', userFacts)).toEqual(['git-amend']);
    const noFacts = await setup({ startCommit: undefined });
    expect(await rulesFor('git commit --amend', noFacts)).toEqual(['git-amend']);
    expect(await rulesFor('git reset --soft HEAD~1', noFacts)).toEqual(['git-reset']);
  });
});

describe('write rules', () => {
  it('refuses writes into .git, the runtime directory and outside the repository', async () => {
    await expectBlocked('write-git-dir', [
      'echo x > .git/hooks/pre-commit',
      "sh -c 'echo > .git/hooks/pre-commit'",
      'cat > .git/config <<EOF\n[core]\nEOF',
      'rm -rf .git',
      'rm -rf .',
      'rm -rf ..',
      'rm -rf /',
      'rm -rf ./*/../.git',
      'rm -rf .gi*',
      'rm -rf {src,.git}',
      'cd .git && rm -f index',
      '(cd .git; rm HEAD)',
      'tee .git/hooks/post-checkout < /dev/null',
      'cp /tmp/evil .git/hooks/pre-commit',
      'mv .git/config /tmp/config',
      'ln -sf /tmp/evil .git/hooks/pre-push',
      "sed -i 's/a/b/' .git/config",
      'touch .git/hooks/pre-commit',
      'chmod +x .git/hooks/pre-commit',
      'dd if=/dev/zero of=.git/index count=1',
      'find .git -name "*.lock" -delete',
      'X=.git; rm -rf $X/hooks',
      'echo x >> "$PWD/../repo-elsewhere" ; echo > .git/HEAD',
      'install -m 755 /tmp/h .git/hooks/pre-commit',
      'printf x 1>.git/description',
      'echo x &> .git/x',
    ]);
    await expectBlocked('write-runtime-dir', [
      'rm -rf .pi-harness',
      'echo {} > .pi-harness/state.json',
      'mv .pi-harness /tmp/gone',
      'git clean -fdx; rm -rf .pi-harness/runs',
    ]);
    await expectBlocked('write-outside-repo', [
      'echo x > ~/.bashrc',
      'echo x > /etc/passwd',
      'rm -rf /etc/ssl',
      'cp a.ts /usr/local/bin/a',
      'mv a.ts ../a.ts',
      'cd .. && rm -rf repo-sibling',
      'tee -a ~/.profile',
      'echo x > /var/tmp/sibling.txt',
    ]);
  });

  it('passes writes in the repository, the temp directory and /dev', async () => {
    await expectAllowed([
      'rm build/tmp.txt',
      'rm -rf build dist',
      'echo > /tmp/x',
      'echo x > /dev/null 2>&1',
      'cat > src/a.ts <<EOF\nexport const a = 1;\nEOF',
      'mkdir -p src/lib && touch src/lib/index.ts',
      'cp a.ts b.ts && mv b.ts c.ts',
      "sed -i 's/a/b/' a.ts",
      'npm test 2>&1 | tee test-output.txt',
      'cat .git/config',
      'cp .git/config /tmp/config-copy',
      'ls .git/hooks',
      'rm "$(mktemp)"',
      'cd "$(mktemp -d)" && touch x',
      'echo >&2 warning',
      'exec 3>&-',
      `cd ${tmpdir()} && rm -rf scratch`,
    ]);
  });

  it('checks the write and edit tools by path, the way pi resolves it', async () => {
    const rulesOf = async (toolName: string, p: string) =>
      (await classifyToolCall({ toolName, input: { path: p, content: 'x' }, cwd: repo }, facts)).map((v) => v.rule);
    expect(await rulesOf('write', '.git/hooks/pre-commit')).toEqual(['write-git-dir']);
    expect(await rulesOf('write', '@.git/config')).toEqual(['write-git-dir']);
    expect(await rulesOf('edit', path.join(repo, '.git', 'config'))).toEqual(['write-git-dir']);
    expect(await rulesOf('write', 'src/../.git/x')).toEqual(['write-git-dir']);
    expect(await rulesOf('write', '.pi-harness/state.json')).toEqual(['write-runtime-dir']);
    expect(await rulesOf('write', '~/.ssh/authorized_keys')).toEqual(['write-outside-repo']);
    expect(await rulesOf('write', '../outside.txt')).toEqual(['write-outside-repo']);
    expect(await rulesOf('write', 'src/new.ts')).toEqual([]);
    expect(await rulesOf('edit', 'a.ts')).toEqual([]);
    expect(await rulesOf('write', path.join(tmpdir(), 'scratch.txt'))).toEqual([]);
    expect(await rulesOf('read', '.git/config')).toEqual([]);
  });

  it('follows symlinks to where the write lands', async () => {
    const { symlink } = await import('node:fs/promises');
    await symlink(path.join(repo, '.git', 'hooks'), path.join(repo, 'hooks-link'));
    await expectBlocked('write-git-dir', ['echo x > hooks-link/pre-commit']);
    const rules = await classifyToolCall(
      { toolName: 'write', input: { path: 'hooks-link/pre-commit', content: 'x' }, cwd: repo },
      facts,
    );
    expect(rules.map((v) => v.rule)).toEqual(['write-git-dir']);
    // Removing the link itself leaves .git alone.
    await expectAllowed(['rm hooks-link']);
  });
});

describe('honest commands', () => {
  it('pass untouched', async () => {
    await expectAllowed([
      'git status',
      'git status --porcelain',
      'git diff',
      'git diff --cached HEAD~1',
      'git add -A',
      'git add a.ts src/',
      'git commit -m "Add feature"',
      'git commit -am "wip"',
      'git log --oneline -5',
      'git show HEAD',
      'git stash list',
      'git checkout -- a.ts',
      'git fetch --dry-run || true',
      'git blame a.ts',
      'git rev-parse HEAD',
      'npm test',
      'npm run build && node dist/index.js',
      'ls -la; pwd; cat a.ts | grep a',
      'for f in src/*.ts; do echo $f; done',
      'python3 -c "print(1)"',
      'echo "git push is not allowed"',
      "grep -rn 'rm -rf .git' docs",
      "echo '$(git push)'",
      "cat <<'EOF'\n$(git push)\nEOF",
      '# git push',
    ]);
  });
});

describe('allow and deny lists', () => {
  it('allow exempts matching commands; deny adds blocks and wins', async () => {
    const custom = await setup({
      allow: ['git push origin refs/for/*', 'rm .pi-harness/cache/*'],
      deny: ['npm publish', 'curl'],
    });
    expect(await rulesFor('git -C . push origin refs/for/main', custom)).toEqual([]);
    expect(await rulesFor('git push origin main', custom)).toEqual(['git-push']);
    expect(await rulesFor('rm .pi-harness/cache/x', custom)).toEqual([]);
    expect(await rulesFor('npm publish --tag next', custom)).toEqual(['deny-list']);
    expect(await rulesFor('bash -c "curl -s https://example.test"', custom)).toEqual(['deny-list']);
    expect(await rulesFor('npm test', custom)).toEqual([]);
    const both = await setup({ allow: ['npm publish'], deny: ['npm publish'] });
    expect(await rulesFor('npm publish', both)).toEqual(['deny-list']);
    const tools = await setup({ allow: ['write .git/info/exclude'], deny: ['write secrets/*'] });
    const rulesOf = async (p: string) =>
      (await classifyToolCall({ toolName: 'write', input: { path: p, content: '' }, cwd: repo }, tools)).map(
        (v) => v.rule,
      );
    expect(await rulesOf('.git/info/exclude')).toEqual([]);
    expect(await rulesOf('secrets/key')).toEqual(['deny-list']);
  });
});

describe('files ignored when the iteration began', () => {
  it('may not be added or committed once an edited .gitignore shows them', async () => {
    const f = await setup({ ignoredAtStart: ['.env'] });
    await writeFile(path.join(repo, '.env'), 'SECRET=1\n');
    try {
      for (const command of [
        'git add -A',
        'git add .',
        'git add .env',
        'git add --all',
        'bash -c "git add -A && git commit -m x"',
      ])
        expect(await rulesFor(command, f), command).toEqual(['git-commit-ignored']);
      expect(await rulesFor('git add a.ts', f)).toEqual([]);
      gitSync(repo, 'add', '.env');
      expect(await rulesFor('git commit -m "add config"', f)).toEqual(['git-commit-ignored']);
      expect(await rulesFor('git commit -m "add config"')).toEqual([]); // without the list: nothing known
    } finally {
      gitSync(repo, 'rm', '-q', '--cached', '.env');
      await rm(path.join(repo, '.env'));
    }
  });
});
