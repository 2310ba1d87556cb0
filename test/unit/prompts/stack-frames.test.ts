import { describe, expect, it } from 'vitest';
import { collapseForeignFrames } from '../../../src/prompts/stack-frames.js';

describe('collapseForeignFrames', () => {
  it('collapses runs of runtime and dependency frames, keeps the project frames', () => {
    const output = [
      'AssertionError: expected 2 to be 3',
      '    at Object.<anonymous> (/repo/test/math.test.mjs:5:10)',
      '    at Test.runInAsyncScope (node:async_hooks:214:14)',
      '    at Test.run (node:internal/test_runner/test:1047:25)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)',
      '    at file:///repo/node_modules/vitest/dist/chunk.js:1:1',
      '    at /repo/src/math.mjs:2:3',
    ].join('\n');
    expect(collapseForeignFrames(output)).toBe(
      [
        'AssertionError: expected 2 to be 3',
        '    at Object.<anonymous> (/repo/test/math.test.mjs:5:10)',
        '    … 4 stack frames in the runtime or dependencies',
        '    at /repo/src/math.mjs:2:3',
      ].join('\n'),
    );
  });

  it('leaves a single foreign frame and Python project frames alone, collapses site-packages', () => {
    const python = [
      'Traceback (most recent call last):',
      '  File "/repo/app/main.py", line 3, in <module>',
      '  File "/usr/lib/python3.11/site-packages/requests/api.py", line 59, in request',
      '  File "/usr/lib/python3.11/site-packages/requests/sessions.py", line 589, in request',
      'ValueError: bad',
    ].join('\n');
    expect(collapseForeignFrames(python)).toContain('  … 2 stack frames in the runtime or dependencies');
    expect(collapseForeignFrames(python)).toContain('/repo/app/main.py');
    const single = 'Error\n    at run (node:internal/x:1:1)\ndone';
    expect(collapseForeignFrames(single)).toBe(single);
  });
});
