/**
 * The model for the soak: each developer turn creates the file its task names (with a little
 * latency, so kills land mid-turn as often as between turns) and ticks the task; the tester
 * commits and passes.
 */
import { roleScript, type ScriptStep, type TurnView } from '../scripted-model/index.js';

function taskNumber(prompt: string): string {
  return /Task: Create file number (\d+)/.exec(prompt)?.[1] ?? '0';
}

function developer(view: TurnView): ScriptStep {
  const n = taskNumber(view.prompt);
  if (view.step === 0)
    return {
      kind: 'tool_calls',
      delayMs: 150,
      calls: [{ name: 'write', arguments: { path: `file-${n}.txt`, content: `file ${n}\n` } }],
    };
  if (view.step === 1) {
    return {
      kind: 'tool_calls',
      delayMs: 150,
      calls: [
        {
          name: 'bash',
          arguments: {
            command: `sed -i 's/- \\[ \\] Create file number ${n}$/- [x] Create file number ${n}/' TODOS.md`,
          },
        },
      ],
    };
  }
  return { kind: 'text', delayMs: 100, text: `Created file-${n}.txt and ticked the task.` };
}

function tester(view: TurnView): ScriptStep {
  const n = taskNumber(view.prompt);
  if (view.step === 0)
    return {
      kind: 'tool_calls',
      delayMs: 150,
      calls: [
        { name: 'bash', arguments: { command: `git add file-${n}.txt TODOS.md && git commit -qm "Create file ${n}"` } },
      ],
    };
  return { kind: 'text', delayMs: 100, text: `file-${n}.txt exists.\n\nVERDICT: PASS` };
}

export function soakScript() {
  return roleScript({
    developer: [developer],
    developerRetry: [developer],
    developerFix: [developer],
    tester: [tester],
    testerRecheck: [tester],
  });
}
