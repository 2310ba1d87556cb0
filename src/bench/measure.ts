/**
 * Turns one raw run (journal events + the model server's request records) into figures: where the
 * wall time went — model, tools the agent ran, the harness's verification, everything else — and
 * how many bytes reached the model, per role and per task.
 *
 * Attribution: a turn is the journal window [turn_start.at, turn_end.at]; a model request belongs
 * to the turn whose window holds its arrival; tool events follow their turn_end in the journal.
 * "Overhead" is what remains of the wall time: pi start-up, pi's own processing, git, prompt
 * building, fingerprints, state writes. With a real model it is the part that does not shrink
 * when the model gets faster.
 */
import type { ReadEvent, ReadEventOf } from '../journal/decode.js';
import { chatMessages, contentText, type RecordedRequest } from '../scripted-model/index.js';
import { summariseMemory, type MemoryFigures } from './proc-memory.js';
import type { RawRun } from './run-once.js';
import { taskLineOf } from './scripted-steps.js';
import { mergeOutcomeOf, workerOf } from './worker-stamps.js';
import type { ExpectedPath } from './workload.js';
import { DEFAULT_WORKLOAD, type Workload } from './workloads.js';

/** One slice of time and bytes; the same columns for a role, a task, or the whole run. */
export interface Slice {
  wallMs: number;
  /** Inside model requests (scripted server: request received → response finished). */
  modelMs: number;
  /** Inside the tools the agent ran (pi's tool events: bash, read, write...). */
  toolMs: number;
  /** The harness's own testCommand runs. */
  verificationMs: number;
  /** The rest (wall - model - tools - verification) = piMs + harnessMs. */
  overheadMs: number;
  /** Inside the transport but neither model nor tools: pi start-up, pi's own processing, RPC. */
  piMs: number;
  /** Outside the transport: git, fingerprints, prompt building, commits, state and artifact writes. */
  harnessMs: number;
  /** Prompts the harness wrote (journal turn_start.promptBytes). */
  promptBytes: number;
  /** Request bodies pi sent: system prompt, tool schemas, history and the prompt, every request. */
  bodyBytes: number;
  modelRequests: number;
}

export interface RoleFigures extends Slice {
  role: string;
  turns: number;
  /** Mean time from turn_start to pi's first model request: the cost of starting a turn. */
  toFirstRequestMs: number;
}

export interface TaskFigures extends Slice {
  iteration: number;
  task: string;
  status: string;
  /** What happened, e.g. "developer › verify✗ › developerFix › verify › tester PASS › commit". */
  path: string;
  expected: ExpectedPath | 'unknown';
  /** The parallel run's worker that ran the iteration (absent in a sequential run). */
  worker?: string;
  /** The merge queue's verdict on the iteration's change (parallel runs): `merged`, `conflict`... */
  merge?: string;
  /** The turns taken match what the workload intends for this task (and a worker's change was merged). */
  pathOk: boolean;
  turns: number;
}

/** What the request bodies were made of, summed over every model request of the run. */
export interface BodyComposition {
  systemBytes: number;
  toolSchemaBytes: number;
  /** The harness prompts, as repeated in every request of their turn. */
  promptBytes: number;
  /** Earlier assistant messages and tool results of the same turn. */
  historyBytes: number;
  /** Everything else: model id, stream flags, JSON framing. */
  otherBytes: number;
  largestBodyBytes: number;
  /**
   * Bytes past the longest common prefix with the previous request, in chat-template order
   * (system, tools, messages): roughly what a single-slot prefix cache (llama.cpp, Ollama) must
   * prefill. The rest of each body is re-sent but, on such a server, not recomputed.
   */
  uncachedBytes: number;
}

export interface RunFigures {
  exitCode: number;
  wallMs: number;
  iterations: number;
  tasksCompleted: number;
  tasksPerHour: number;
  promptBytesPerTask: number;
  bodyBytesPerTask: number;
  /** BodyComposition.uncachedBytes per completed task. */
  uncachedBytesPerTask: number;
  modelRequestsPerTask: number;
  total: Slice;
  roles: RoleFigures[];
  tasks: TaskFigures[];
  /** Inside iterations but outside turns and verification: commits, change lists, state writes. */
  betweenTurnsMs: number;
  /** Outside every iteration: config, lock, pi agent dir, transport shutdown (and a parallel run's last merge). */
  runFrameMs: number;
  /** Workers of a parallel run that ran iterations (0: a sequential run, one iteration at a time). */
  workers: number;
  body: BodyComposition;
  /** PSS/RSS of the harness process and its pi processes over the run (Linux). */
  memory: MemoryFigures | undefined;
  pathsOk: boolean;
}

const ROLE_ORDER = ['developer', 'developerRetry', 'developerFix', 'tester'] as const;
const EXPECTED_TURNS: Record<ExpectedPath, string> = {
  pass: 'developer tester',
  'verification-fix': 'developer developerFix tester',
  'tester-fail-fix': 'developer tester developerFix tester',
};

interface Turn {
  iteration: number;
  role: string;
  start: number;
  end: number;
  promptBytes: number;
  modelRequests: number;
  toolMs: number;
  /** The transport's own measure of the turn (turn_end.durationMs): pi start to turn end. */
  transportMs: number;
  requests: RecordedRequest[];
}

const time = (event: ReadEvent): number => Date.parse(event.at);
const sum = <T>(items: readonly T[], of: (item: T) => number): number =>
  items.reduce((total, item) => total + of(item), 0);
const requestMs = (request: RecordedRequest): number => request.durationMs ?? 0;

/** The task a request's prompt names on its "- Task:" line (every harness prompt has one). */
function requestTask(request: RecordedRequest): string | undefined {
  for (const message of chatMessages(request))
    if (message.role === 'user') {
      const line = taskLineOf(contentText(message.content));
      if (line !== undefined) return line.trim();
    }
  return undefined;
}

/**
 * Pairs turn_start/turn_end of each iteration, attaches the tool events that follow within the same
 * iteration and the requests in the window that name the iteration's task. In a parallel run the
 * iterations' events interleave and several turns are open at once: the iteration and the task
 * keep each event and request with its own turn.
 */
function collectTurns(events: readonly ReadEvent[], requests: readonly RecordedRequest[]): Turn[] {
  const turns: Turn[] = [];
  const open = new Map<number, ReadEventOf<'turn_start'>>();
  const last = new Map<number, Turn>();
  const taskOf = new Map<number, string>();
  const tasks = new Map(requests.map((request) => [request, requestTask(request)]));
  for (const event of events) {
    const iteration = 'iteration' in event ? (event.iteration ?? 0) : 0;
    if (event.type === 'iteration_start' && event.task?.text) taskOf.set(iteration, event.task.text.trim());
    else if (event.type === 'turn_start') open.set(iteration, event);
    else if (event.type === 'turn_end' && open.has(iteration)) {
      const start = time(open.get(iteration)!);
      const end = time(event);
      const task = taskOf.get(iteration);
      const turn: Turn = {
        iteration,
        role: event.role ?? 'developer',
        start,
        end,
        promptBytes: open.get(iteration)!.promptBytes ?? 0,
        modelRequests: event.modelRequests ?? 0,
        toolMs: 0,
        transportMs: event.durationMs ?? 0,
        requests: requests.filter((request) => {
          const named = tasks.get(request);
          const inWindow = request.receivedAt >= start && request.receivedAt <= end;
          return inWindow && (named === undefined || task === undefined || named === task);
        }),
      };
      turns.push(turn);
      last.set(iteration, turn);
      open.delete(iteration);
    } else if (event.type === 'tool' && last.has(iteration)) last.get(iteration)!.toolMs += event.durationMs ?? 0;
  }
  return turns;
}

function turnSlice(turns: readonly Turn[]): Slice {
  const wallMs = sum(turns, (turn) => turn.end - turn.start);
  const modelMs = sum(turns, (turn) => sum(turn.requests, requestMs));
  const toolMs = sum(turns, (turn) => turn.toolMs);
  const piMs = sum(turns, (turn) => turn.transportMs) - modelMs - toolMs;
  return {
    wallMs,
    modelMs,
    toolMs,
    verificationMs: 0,
    overheadMs: wallMs - modelMs - toolMs,
    piMs,
    harnessMs: wallMs - modelMs - toolMs - piMs,
    promptBytes: sum(turns, (turn) => turn.promptBytes),
    bodyBytes: sum(turns, (turn) => sum(turn.requests, (request) => request.bodyBytes)),
    modelRequests: sum(turns, (turn) => turn.modelRequests),
  };
}

function roleFigures(turns: readonly Turn[]): RoleFigures[] {
  return ROLE_ORDER.map((role) => {
    const mine = turns.filter((turn) => turn.role === role);
    const firsts = mine.filter((turn) => turn.requests.length > 0);
    return {
      role,
      turns: mine.length,
      ...turnSlice(mine),
      toFirstRequestMs:
        firsts.length === 0 ? 0 : sum(firsts, (turn) => turn.requests[0]!.receivedAt - turn.start) / firsts.length,
    };
  });
}

function pathOf(events: readonly ReadEvent[]): string {
  const steps: string[] = [];
  for (const event of events) {
    if (event.type === 'turn_start') steps.push(event.role ?? 'turn');
    else if (event.type === 'verification') steps.push(event.outcome === 'passed' ? 'verify' : `verify✗`);
    else if (event.type === 'verdict') steps[steps.length - 1] = `${steps.at(-1)} ${event.verdict}`;
    else if (event.type === 'commit') steps.push('commit');
    else if (mergeOutcomeOf(event) !== undefined) steps.push(mergeOutcomeOf(event)!);
  }
  return steps.join(' › ');
}

/**
 * One row per ended iteration, in iteration order (a parallel run ends them in any order; iteration
 * numbers follow the task file). A worker's iteration is as scripted only once the merge queue merged it.
 */
function taskFigures(events: readonly ReadEvent[], turns: readonly Turn[], workload: Workload): TaskFigures[] {
  const ends = events.filter((event): event is ReadEventOf<'iteration_end'> => event.type === 'iteration_end');
  const rows = ends.map((end): TaskFigures => {
    const own = events.filter((event) => 'iteration' in event && event.iteration === end.iteration);
    const mine = turns.filter((turn) => turn.iteration === end.iteration);
    const slice = turnSlice(mine);
    const verificationMs = sum(own, (event) => (event.type === 'verification' ? (event.durationMs ?? 0) : 0));
    const task = end.task?.text ?? '(unknown task)';
    const expected = workload.expectedPathOf(task) ?? 'unknown';
    const wallMs = end.durationMs ?? 0;
    const worker = workerOf(end);
    const merge = own.map(mergeOutcomeOf).find((outcome) => outcome !== undefined);
    return {
      iteration: end.iteration ?? 0,
      task,
      status: end.status ?? 'failed',
      path: pathOf(own),
      expected,
      ...(worker ? { worker } : {}),
      ...(merge ? { merge } : {}),
      pathOk:
        expected !== 'unknown' &&
        mine.map((turn) => turn.role).join(' ') === EXPECTED_TURNS[expected] &&
        end.status === 'succeeded' &&
        (worker === undefined || merge === 'merged'),
      turns: mine.length,
      ...slice,
      wallMs,
      verificationMs,
      overheadMs: wallMs - slice.modelMs - slice.toolMs - verificationMs,
      harnessMs: wallMs - slice.modelMs - slice.toolMs - verificationMs - slice.piMs,
    };
  });
  return rows.sort((a, b) => a.iteration - b.iteration);
}

const jsonBytes = (value: unknown): number => (value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value)));
/** Each message's own JSON; the commas between them fall into "other". */
const messageBytes = (messages: readonly unknown[]): number => sum(messages, jsonBytes);

/** The request as a chat template lays it out: system, then tool schemas, then the conversation. */
function templateOrder(request: RecordedRequest): string {
  const messages = chatMessages(request);
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer');
  const rest = messages.filter((m) => !system.includes(m));
  return JSON.stringify([system, (request.body as { tools?: unknown } | undefined)?.tools ?? null, ...rest]);
}

function bytesAfterCommonPrefix(previous: string, current: string): number {
  let i = 0;
  const max = Math.min(previous.length, current.length);
  while (i < max && previous.charCodeAt(i) === current.charCodeAt(i)) i++;
  return Buffer.byteLength(current.slice(i));
}

function bodyComposition(requests: readonly RecordedRequest[]): BodyComposition {
  const totals: BodyComposition = {
    systemBytes: 0,
    toolSchemaBytes: 0,
    promptBytes: 0,
    historyBytes: 0,
    otherBytes: 0,
    largestBodyBytes: 0,
    uncachedBytes: 0,
  };
  let previous = '';
  for (const request of requests) {
    const laidOut = templateOrder(request);
    totals.uncachedBytes += bytesAfterCommonPrefix(previous, laidOut);
    previous = laidOut;
    const messages = chatMessages(request);
    const system = messageBytes(messages.filter((m) => m.role === 'system' || m.role === 'developer'));
    const prompt = messageBytes(messages.filter((m) => m.role === 'user'));
    const history = messageBytes(messages.filter((m) => m.role === 'assistant' || m.role === 'tool'));
    const tools = jsonBytes((request.body as { tools?: unknown } | undefined)?.tools);
    totals.systemBytes += system;
    totals.promptBytes += prompt;
    totals.historyBytes += history;
    totals.toolSchemaBytes += tools;
    totals.otherBytes += request.bodyBytes - system - prompt - history - tools;
    totals.largestBodyBytes = Math.max(totals.largestBodyBytes, request.bodyBytes);
  }
  return totals;
}

/**
 * Time inside at least one iteration: the union of the iterations' windows (each ends at its
 * iteration_end and lasts its durationMs). One at a time, that is the sum of their durations.
 */
function iterationSpanMs(events: readonly ReadEvent[]): number {
  const windows = events
    .filter((event): event is ReadEventOf<'iteration_end'> => event.type === 'iteration_end')
    .map((end) => ({ start: time(end) - (end.durationMs ?? 0), end: time(end), ms: end.durationMs ?? 0 }))
    .sort((a, b) => a.start - b.start);
  let total = 0;
  let reach = Number.NEGATIVE_INFINITY;
  for (const window of windows) {
    // Only what sticks out past the windows before it counts (all of it when they do not overlap).
    if (window.start >= reach) total += window.ms;
    else if (window.end > reach) total += window.end - reach;
    reach = Math.max(reach, window.end);
  }
  return total;
}

export function measure(raw: RawRun): RunFigures {
  const completions = raw.requests.filter((request) => request.completionIndex !== undefined);
  const turns = collectTurns(raw.events, completions);
  const tasks = taskFigures(raw.events, turns, raw.workload ?? DEFAULT_WORKLOAD);
  const total = turnSlice(turns);
  const body = bodyComposition(completions);
  const verificationMs = sum(tasks, (task) => task.verificationMs);
  const iterationMs = sum(tasks, (task) => task.wallMs);
  const runFrameMs = raw.wallMs - iterationSpanMs(raw.events);
  // The work done: the iterations' own times plus the run's frame. Iterations one at a time: the
  // wall time; several at once: more than it, so the total row still adds up.
  const workMs = iterationMs + runFrameMs;
  const completed = tasks.filter((task) => task.status === 'succeeded').length;
  const perTask = (value: number) => (completed === 0 ? 0 : value / completed);
  return {
    exitCode: raw.exitCode,
    wallMs: raw.wallMs,
    iterations: tasks.length,
    tasksCompleted: completed,
    tasksPerHour: completed / (raw.wallMs / 3_600_000),
    promptBytesPerTask: perTask(total.promptBytes),
    bodyBytesPerTask: perTask(total.bodyBytes),
    uncachedBytesPerTask: perTask(body.uncachedBytes),
    modelRequestsPerTask: perTask(total.modelRequests),
    total: {
      ...total,
      wallMs: workMs,
      verificationMs,
      overheadMs: workMs - total.modelMs - total.toolMs - verificationMs,
      harnessMs: workMs - total.modelMs - total.toolMs - verificationMs - total.piMs,
    },
    roles: roleFigures(turns),
    tasks,
    betweenTurnsMs: iterationMs - total.wallMs - verificationMs,
    runFrameMs,
    workers: new Set(tasks.map((task) => task.worker).filter((worker) => worker !== undefined)).size,
    body,
    memory: summariseMemory(raw.memory),
    pathsOk: tasks.length > 0 && tasks.every((task) => task.pathOk),
  };
}
