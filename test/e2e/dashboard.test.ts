/**
 * The dashboard with a real run (real pi, scripted model) in Debian's chromium: the page shows the
 * run's tasks and the turn in flight, follows events as they arrive, pauses and steers the run
 * through its buttons, and works at phone width, showing what the guardrails refused. Without the
 * token the server answers 401.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, launchBrowser } from '../helpers/browser.js';
import { closedAfterEach } from '../helpers/closing.js';
import { eventsOf, Gate, waitForStatus } from './control-helpers.js';
import { bash, loopRepo, say, write, type SpawnedCli } from './loop-helpers.js';

const missing = browserMissing();
const setup = closedAfterEach(loopRepo);
const TOKEN = 'dashboard-test-token-0123456789';
const STEER = 'Please also add a NOTE.txt';
const TASKS = '# Phase one\n\n- [ ] Write one\n\n# Phase two\n\n- [ ] Write two\n- [ ] Write three\n';

let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

async function dashboardUrl(run: SpawnedCli): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const url = /dashboard: (http:\/\/\S+)/.exec(run.output())?.[1];
    if (url) return url;
    await sleep(100);
  }
  throw new Error(`no dashboard line in:\n${run.output()}`);
}

async function confirmControl(page: Page, button: string): Promise<void> {
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
  await page.getByTestId('control-message').filter({ hasText: 'sent' }).waitFor();
}

describe.skipIf(missing !== undefined)('the dashboard in a browser', () => {
  it('shows tasks and the live turn, follows events, pauses and steers the run', { timeout: 150_000 }, async () => {
    const gate = await Gate.make('browser');
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [
          [write('one.txt', '1\n'), gate.wait(), say('Done.')],
          [write('two.txt', '2\n'), say('Done.')],
          [write('three.txt', '3\n'), say('Done.')],
        ],
        tester: [[say('VERDICT: PASS')]],
      },
      config: { maxRunTokens: 5_000_000 },
    });
    const run = r.spawnCli('run', { PI_VISUALIZER: '1', PI_VISUALIZER_PORT: '0', PI_HARNESS_DASHBOARD_TOKEN: TOKEN });
    const url = await dashboardUrl(run);
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/\\?token=${TOKEN}$`));
    await waitForStatus(r, (doc) => (doc.turn?.toolCalls ?? 0) >= 2);

    browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(url);
    expect(new URL(page.url()).search).toBe(''); // the token left the address bar for a cookie
    // Tasks by phase with their status, and the turn in flight with its tool calls.
    const tasks = page.getByTestId('tasks');
    await tasks.getByText('Phase two').waitFor();
    await expect.poll(() => tasks.locator('[data-status="current"]').textContent()).toContain('Write one');
    expect(await tasks.locator('[data-status="open"]').count()).toBe(2);
    const turn = page.getByTestId('turn');
    await turn.getByText('developer').first().waitFor();
    await expect.poll(() => page.getByTestId('tool-calls').locator('li').count()).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('tool-calls').textContent()).toContain('one.txt');
    // Its model, elapsed time (ticking), tokens, context use; the run's tokens against the budget.
    const facts = await turn.locator('dl.facts').textContent();
    expect(facts).toMatch(/model.+elapsed\d+s.*tokens[\d,.k]+ in \d+ requests.*context.*\d+% of 128k/s);
    const elapsed = await page.getByTestId('turn-elapsed').textContent();
    await expect.poll(() => page.getByTestId('turn-elapsed').textContent(), { timeout: 5000 }).not.toBe(elapsed);
    const runTokens = page.getByTestId('budgets').locator('tr', { hasText: 'run tokens' });
    expect(await runTokens.textContent()).toMatch(/^run tokens[\d,.k]+of 5\.00M$/);

    await confirmControl(page, 'Pause');
    await page.getByLabel('Guidance for the agent').fill(STEER);
    await confirmControl(page, 'Steer');
    await gate.open();

    // The iteration ends, the pause takes effect: the page hears it from the event stream.
    await page.getByTestId('run-state').filter({ hasText: 'paused' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => tasks.locator('[data-status="done"]').textContent()).toContain('Write one');
    expect(await page.getByTestId('iterations').textContent()).toContain('succeeded');
    // The charts (their library and series come after the first render) draw the iteration that ended.
    await page.getByTestId('charts').locator('canvas').first().waitFor();
    const steered = r.server.completionRequests().some((request) => JSON.stringify(request.body).includes(STEER));
    expect(steered, JSON.stringify(eventsOf(r.repo, 'control_applied'))).toBe(true);
    const received = eventsOf(r.repo, 'control_received');
    expect(received.map((event) => [event.action, event.source])).toEqual([
      ['pause', 'dashboard'],
      ['steer', 'dashboard'],
    ]);
    await page.getByTestId('control-log').getByText('pause').first().waitFor();

    await confirmControl(page, 'Resume');
    expect(await run.exited, run.output()).toBe(0);
    await page.getByTestId('run-state').filter({ hasText: 'ended' }).waitFor({ timeout: 20_000 });
  });

  it('works at phone width: one column, nothing wider than the screen; guardrail refusals shown', {
    timeout: 90_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [[bash('git stash clear'), write('x.txt', 'x\n'), say('Done.')]],
        tester: [[say('VERDICT: PASS')]],
      },
    });
    expect((await r.run('once')).code).toBe(0);
    const { startDashboard } = await import('../../src/dashboard/server.js');
    const { loadConfig } = await import('../../src/config/load.js');
    const { config } = await loadConfig({ repoRoot: r.repo, cwd: r.repo, env: {} });
    const dashboard = await startDashboard({ config, host: '127.0.0.1', port: 0, token: TOKEN, env: {} });
    try {
      await dashboard.board.follow();
      browser = await launchBrowser();
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      await page.goto(dashboard.url);
      await page.getByTestId('iterations').getByText('succeeded').waitFor();
      // The series of the ended run, fetched after the first render, drawn by the library loaded then.
      await page.getByTestId('charts').locator('canvas').first().waitFor();
      expect(await page.getByTestId('charts').getByRole('img').count()).toBe(2);
      // The guardrail's refusal in that iteration is on the page too.
      expect(await page.getByTestId('guardrails').textContent()).toMatch(/^1 blocked \(git-stash ×1\)/);
      const widths = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as number[];
      expect(widths[0]).toBeLessThanOrEqual(widths[1]!);
    } finally {
      await dashboard.close();
    }
  });
});
