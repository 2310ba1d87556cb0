/**
 * The scripted agent of the demo: answers each role's turn for whichever task the prompt names,
 * with pi tool calls that do the work for real (write, edit, read, bash). The tester is not canned:
 * it runs the tests and its probes, reads their real output, and passes only when that output
 * says the change is right — so the bumpy tasks fail review for a real reason, and pass after a
 * real fix.
 */
import { roleScript, toolResults, type TurnView } from '../scripted-model/index.js';
import type { RecordedRequest, ScriptStep, ScriptedToolCall } from '../scripted-model/index.js';
import { DEMO_TASKS, TASK_FILE, TEST_COMMAND, type DemoTask, type FileEdit } from './project.js';
import { lastLines } from '../util/text.js';

const call = (name: string, args: Record<string, unknown>): ScriptedToolCall => ({ name, arguments: args });
const tools = (...calls: ScriptedToolCall[]): ScriptStep => ({ kind: 'tool_calls', calls });
const say = (text: string): ScriptStep => ({ kind: 'text', text });
const bash = (command: string) => call('bash', { command });
const edit = ({ path, oldText, newText }: FileEdit) => call('edit', { path, edits: [{ oldText, newText }] });

/** The task a prompt is about: every harness prompt carries a `- Task: <text>` line. */
export function taskOfPrompt(prompt: string, tasks: readonly DemoTask[] = DEMO_TASKS): DemoTask | undefined {
  return tasks.find((task) => prompt.includes(`- Task: ${task.text}`));
}

const UNKNOWN_TASK = say('This task is not part of the demo script, so I am leaving it alone.');

function developerSteps(task: DemoTask): ScriptStep[] {
  const steps: ScriptStep[] = [];
  if (task.reads) steps.push(tools(...task.reads.map((path) => call('read', { path }))));
  steps.push(tools(...Object.entries(task.files).map(([path, content]) => call('write', { path, content }))));
  if (task.developerRunsTests) steps.push(tools(bash(TEST_COMMAND)));
  steps.push(tools(edit({ path: TASK_FILE, oldText: `- [ ] ${task.text}`, newText: `- [x] ${task.text}` })));
  steps.push(say(task.developerSummary));
  return steps;
}

function fixSteps(task: DemoTask): ScriptStep[] {
  if (!task.fix) return [say('I found nothing to fix.')];
  return [tools(...task.fix.edits.map(edit)), tools(bash(TEST_COMMAND)), say(task.fix.summary)];
}

function developerTurn(view: TurnView): ScriptStep {
  const task = taskOfPrompt(view.prompt);
  if (!task) return UNKNOWN_TASK;
  const steps = view.role === 'developerFix' ? fixSteps(task) : developerSteps(task);
  return steps[view.step] ?? say('Done.');
}

/** pi's bash tool reports a non-zero exit by appending this to the output. */
const FAILED_COMMAND = /Command exited with code \d+|Command terminated without an exit code/;

function testsPassed(output: string): boolean {
  // node's spec reporter prints "ℹ fail 0", its tap reporter "# fail 0".
  return !FAILED_COMMAND.test(output) && /^(?:ℹ|#) fail 0\s*$/m.test(output);
}

/** Findings from the tester's tool results so far: [test run, ...probes], in the order they ran. */
function reviewFindings(task: DemoTask, results: readonly string[]): string[] {
  const findings: string[] = [];
  const [testRun = '', ...probeOutputs] = results;
  if (!testsPassed(testRun)) findings.push(`\`${TEST_COMMAND}\` fails:\n\n${lastLines(testRun, 12)}`);
  for (const [i, probe] of (task.probes ?? []).entries()) {
    const printed = (probeOutputs[i] ?? '').trim();
    if (printed !== probe.expect)
      findings.push(`- ${probe.finding} (It prints \`${printed}\`; expected \`${probe.expect}\`.)`);
  }
  return findings;
}

function passSummary(task: DemoTask, testRun: string): string {
  const count = /^(?:ℹ|#) pass (\d+)/m.exec(testRun)?.[1];
  const probeCount = task.probes?.length ?? 0;
  const probes =
    probeCount === 0
      ? ''
      : probeCount === 1
        ? ' and the edge-case check holds'
        : ` and ${probeCount} edge-case checks hold`;
  return `Reviewed ${Object.keys(task.files).join(', ')}: the task is done and ticked, \`${TEST_COMMAND}\` passes (${count ?? 'all'} tests)${probes}. Committed as "${task.commitMessage}".\n\nVERDICT: PASS`;
}

/**
 * tester and testerRecheck alike: run the tests, then each probe, then judge the real outputs;
 * on PASS stage the change by name and commit it (commitMode "agent"), then give the verdict.
 */
function testerTurn(view: TurnView): ScriptStep {
  const task = taskOfPrompt(view.prompt);
  if (!task) return say('I cannot review a task I do not know.\n\nVERDICT: BLOCKED');
  const checks = [TEST_COMMAND, ...(task.probes ?? []).map((probe) => probe.command)];
  const results = resultsOf(view.request);
  if (results.length < checks.length) return tools(bash(checks[results.length]!));
  const findings = reviewFindings(task, results.slice(0, checks.length));
  if (findings.length > 0) return say(`${findings.join('\n')}\n\nVERDICT: FAIL`);
  if (results.length === checks.length) {
    const files = [...Object.keys(task.files), TASK_FILE].join(' ');
    return tools(bash(`git add -- ${files} && git commit -q -m "${task.commitMessage}"`));
  }
  return say(passSummary(task, results[0]!));
}

/** The tester's tool results of this turn (a tester always starts a fresh session). */
function resultsOf(request: RecordedRequest): string[] {
  return toolResults(request).map((result) => result.text);
}

/** The script function for startScriptedModel: every role, every task, however often it runs. */
export function demoScript(): (request: RecordedRequest) => ScriptStep {
  return roleScript({
    developer: [developerTurn],
    developerRetry: [developerTurn],
    developerFix: [developerTurn],
    tester: [testerTurn],
    testerRecheck: [testerTurn],
  });
}
