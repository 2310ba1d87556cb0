/**
 * Visual review end to end (docs/visual-review.md): the real CLI, the real pi, a capture script writing real
 * PNGs, and a scripted vision model whose requests are checked for the image parts pi sent.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closedAfterEach } from '../helpers/closing.js';
import { gitSync } from '../helpers/git-repo.js';
import { solidPng } from '../helpers/png.js';
import { say, write } from './loop-helpers.js';
import { imageParts, NODE, reviewAnswer, visualRepo } from './visual-helpers.js';

const setup = closedAfterEach(visualRepo);

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
const PNG_BASE64_START = 'data:image/png;base64,iVBORw0KGgo';

describe('visual review in the loop', () => {
  it('PASS: images reach the vision model through pi; task and phase reach the capture as data, never as shell', {
    timeout: 90_000,
  }, async () => {
    const phase = 'Phase $(touch pwned-phase)';
    const task = 'Render the title with $(touch pwned-task) and `touch pwned-tick`';
    const r = await setup({
      files: { 'TODOS.md': `# Tasks\n\n## ${phase}\n\n- [ ] ${task}\n` },
      config: {
        visualReviewEnabled: true,
        visualReviewEveryNSuccesses: 1,
        visualCaptureCommand: `${NODE} capture.mjs home settings`,
      },
      plans: {
        developer: [[write('title.txt', 'Title\n'), say('Wrote title.txt.')]],
        tester: [[say('Looks right.\nVERDICT: PASS')]],
      },
      reviews: [
        `Both screens look fine.\n\n\`\`\`json\n${reviewAnswer('PASS', 'Title renders on both screens.')}\n\`\`\``,
      ],
    });
    const result = await r.run(['once']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('visual review: PASS — Title renders on both screens.');
    expect(r.log()).toHaveLength(2);

    const [review, ...more] = r.reviewRequests();
    expect(more).toEqual([]);
    const images = imageParts(review!);
    expect(images).toHaveLength(2);
    for (const image of images) expect(image.image_url.url.startsWith(PNG_BASE64_START)).toBe(true);
    const body = review!.body as { tools?: unknown[] };
    expect(body.tools ?? []).toEqual([]);
    const prompt = JSON.stringify(review!.body);
    expect(prompt).toContain(JSON.stringify(task).slice(1, -1));
    expect(prompt).toContain('title.txt');

    const [capture] = await r.captures();
    expect(capture!.env).toMatchObject({ PI_VISUAL_TASK: task, PI_VISUAL_PHASE: phase, PI_VISUAL_ITERATION: '1' });
    expect(capture!.env.PI_VISUAL_CHANGED_FILES!.split('\n')).toContain('title.txt');
    expect((await readdir(r.repo)).filter((name) => name.startsWith('pwned'))).toEqual([]);

    const [historyFile] = await r.runtimeFiles('visual/history');
    const history = await readJson(path.join(r.repo, '.pi-harness/visual/history', historyFile!));
    expect(history).toMatchObject({
      verdict: 'PASS',
      fromModel: true,
      iteration: 1,
      images: [{ id: 'home' }, { id: 'settings' }],
    });
    expect(history.rawAnswer).toContain('Both screens look fine.');
    const events = await r.journal();
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['visual_capture', 'visual_review']));
    expect(events.find((event) => event.type === 'turn_end' && event.role === 'visualReview')).toMatchObject({
      status: 'success',
      toolCalls: 0,
    });
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
  });

  it('FAIL vetoes the committed iteration: work kept in a rescue ref, task reopened, findings in the next developer prompt, cleared by a later PASS', {
    timeout: 120_000,
  }, async () => {
    const r = await setup({
      files: { 'TODOS.md': '# Tasks\n\n- [ ] First task\n- [ ] Second task\n' },
      config: {
        visualReviewEnabled: true,
        visualReviewEveryNSuccesses: 1,
        visualCaptureCommand: `${NODE} capture.mjs home`,
        maxIterations: 2,
      },
      plans: {
        developer: [[write('page.html', '<h1>Title</h1>\n'), say('Wrote the page.')]],
        tester: [[say('Fine.\nVERDICT: PASS')]],
      },
      reviews: [
        `Here is my review: ${reviewAnswer('FAIL', 'The title is cut off.', ['home: the title is cut off at the right edge'])}`,
        reviewAnswer('PASS', 'The title fits now.'),
      ],
    });
    const result = await r.run(['run']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('visual review: FAIL — The title is cut off.');
    expect(result.stdout).toContain('vetoed by the visual review (FAIL)');
    expect(result.stdout).toContain('FAILED (visual_failed)');

    // Iteration 1's commit was taken back; iteration 2 redid the same task, and it stands.
    expect(r.log()).toEqual(['First task', 'initial']);
    const todos = gitSync(r.repo, 'show', 'HEAD:TODOS.md');
    expect(todos).toContain('- [x] First task');
    expect(todos).toContain('- [ ] Second task');
    const rescueRefs = gitSync(r.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue')
      .trim()
      .split('\n');
    expect(rescueRefs).toHaveLength(1);
    expect(rescueRefs[0]).toMatch(/\/1$/);
    expect(gitSync(r.repo, 'show', `${rescueRefs[0]}:page.html`)).toBe('<h1>Title</h1>\n');
    expect(gitSync(r.repo, 'show', `${rescueRefs[0]}:TODOS.md`)).toContain('- [x] First task');

    const developerPrompts = r.agentPrompts().filter((prompt) => prompt.startsWith('# Developer'));
    expect(developerPrompts[0]).not.toContain('## Visual review feedback');
    const second = developerPrompts.find((prompt) => prompt.includes('## Visual review feedback'));
    expect(second).toContain('home: the title is cut off at the right edge');
    expect(second).toContain(rescueRefs[0]);
    const reviews = r.reviewRequests();
    expect(reviews).toHaveLength(2);
    expect(JSON.stringify(reviews[1]!.body)).toContain('## Earlier visual findings');

    expect(existsSync(path.join(r.repo, '.pi-harness/visual/feedback.md'))).toBe(false);
    const histories = await r.runtimeFiles('visual/history');
    expect(histories).toHaveLength(2);
    const first = await readJson(
      path.join(r.repo, '.pi-harness/visual/history', histories.find((name) => name.endsWith('-1.json'))!),
    );
    expect(first).toMatchObject({
      verdict: 'FAIL',
      findings: ['home: the title is cut off at the right edge'],
      veto: { rescueRef: rescueRefs[0] },
    });
    const ends = (await r.journal()).filter((event) => event.type === 'iteration_end');
    expect(ends.map((event) => [event.status, event.reason])).toEqual([
      ['failed', 'visual_failed'],
      ['succeeded', 'committed'],
    ]);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
  });
});

describe('visual-once', () => {
  it('a missing image is BLOCKED naming it, with no model call; a later PASS clears the feedback', {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      files: { 'TODOS.md': '# Tasks\n\n- [ ] Draw the home page\n' },
      config: { visualCaptureCommand: `${NODE} capture.mjs home --missing=ghost` },
      reviews: [reviewAnswer('PASS', 'Home page looks right.')],
    });
    const blocked = await r.run(['visual-once']);
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toContain('visual review: BLOCKED — the capture manifest is invalid');
    expect(blocked.stdout).toContain('screen "ghost" (ghost.png): image file not found');
    expect(blocked.stdout).toContain('feedback: written to .pi-harness/visual/feedback.md');
    expect(r.server.completionRequests()).toEqual([]);
    expect(await readFile(path.join(r.repo, '.pi-harness/visual/feedback.md'), 'utf8')).toContain(
      'screen "ghost" (ghost.png): image file not found',
    );

    const passed = await r.run(['visual-once', '--json'], {
      env: { PI_VISUAL_CAPTURE_CMD: `${NODE} capture.mjs home` },
    });
    expect(passed.code).toBe(0);
    const record = JSON.parse(passed.stdout) as Record<string, unknown>;
    expect(record).toMatchObject({
      verdict: 'PASS',
      trigger: 'manual',
      iteration: 0,
      task: 'Draw the home page',
      feedbackCleared: true,
    });
    expect(imageParts(r.reviewRequests()[0]!)).toHaveLength(1);
    expect(existsSync(path.join(r.repo, '.pi-harness/visual/feedback.md'))).toBe(false);
    expect(await r.runtimeFiles('visual/history')).toHaveLength(2);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
  });
});

describe('visual-review-worker', () => {
  it('reviews images given by path and inline, and answers verdict JSON on stdout', { timeout: 60_000 }, async () => {
    const r = await setup({
      files: { 'TODOS.md': '# Tasks\n' },
      config: {},
      reviews: [
        `Looking at both.\n\`\`\`json\n{"verdict": "FAIL", "summary": "Low contrast.", "findings": [{"screen": "inline", "issue": "grey on grey"},],}\n\`\`\``,
      ],
    });
    await writeFile(path.join(r.repo, 'shot.png'), solidPng(3, 3));
    const request = {
      images: [
        { path: 'shot.png', mimeType: 'image/png' },
        { data: solidPng(2, 2).toString('base64'), mimeType: 'image/png', id: 'inline' },
      ],
      task: 'Make the buttons readable',
      phase: 'Looks',
      changedFiles: ['src/button.css'],
    };
    const result = await r.run(['visual-review-worker'], { stdin: JSON.stringify(request) });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      verdict: 'FAIL',
      summary: 'Low contrast.',
      findings: ['inline: grey on grey'],
      fromModel: true,
      images: ['image-1', 'inline'],
    });
    const [review] = r.reviewRequests();
    expect(imageParts(review!)).toHaveLength(2);
    expect(JSON.stringify(review!.body)).toContain('Make the buttons readable');

    const missing = await r.run(['visual-review-worker'], {
      stdin: JSON.stringify({ ...request, images: [{ path: 'nope.png' }] }),
    });
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      verdict: 'BLOCKED',
      fromModel: false,
      problems: [expect.stringMatching(/^image "image-1" \(nope\.png\): .*nope\.png: image file not found$/)],
    });
    expect(r.reviewRequests()).toHaveLength(1);

    const invalid = await r.run(['visual-review-worker'], { stdin: '{"images": []}' });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('images: expected at least one image');
  });
});
