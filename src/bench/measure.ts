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
import { chatMessages, type RecordedRequest } from '../scripted-model/index.js';
import { summariseMemory, type MemoryFigures } from './proc-memory.js';
import type { RawRun } from './run-once.js';
import { expectedPathOf, type ExpectedPath } from './workload.js';

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
  /** The turns taken match what the workload intends for this task. */
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
  /** Outside iterations: config, lock, pi agent dir, transport shutdown. */
  runFrameMs: number;
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

/** Pairs turn_start/turn_end, attaches the tool events that follow and the requests in the window. */
function collectTurns(events: readonly ReadEvent[], requests: readonly RecordedRequest[]): Turn[] {
  const turns: Turn[] = [];
  let open: { event: ReadEventOf<'turn_start'> } | undefined;
  for (const event of events) {
    if (event.type === 'turn_start') open = { event };
    else if (event.type === 'turn_end' && open) {
      const start = time(open.event);
      const end = time(event);
      turns.push({
        iteration: event.iteration ?? 0,
        role: event.role ?? 'developer',
        start,
        end,
        promptBytes: open.event.promptBytes ?? 0,
        modelRequests: event.modelRequests ?? 0,
        toolMs: 0,
        transportMs: event.durationMs ?? 0,
        requests: requests.filter((request) => request.receivedAt >= start && request.receivedAt <= end),
      });
      open = undefined;
    } else if (event.type === 'tool' && turns.length > 0) turns[turns.length - 1]!.toolMs += event.durationMs ?? 0;
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
  }
  return steps.join(' › ');
}

function taskFigures(events: readonly ReadEvent[], turns: readonly Turn[]): TaskFigures[] {
  const ends = events.filter((event): event is ReadEventOf<'iteration_end'> => event.type === 'iteration_end');
  return ends.map((end) => {
    const own = events.filter((event) => 'iteration' in event && event.iteration === end.iteration);
    const mine = turns.filter((turn) => turn.iteration === end.iteration);
    const slice = turnSlice(mine);
    const verificationMs = sum(own, (event) => (event.type === 'verification' ? (event.durationMs ?? 0) : 0));
    const task = end.task?.text ?? '(unknown task)';
    const expected = expectedPathOf(task) ?? 'unknown';
    const wallMs = end.durationMs ?? 0;
    return {
      iteration: end.iteration ?? 0,
      task,
      status: end.status ?? 'failed',
      path: pathOf(own),
      expected,
      pathOk:
        expected !== 'unknown' &&
        mine.map((turn) => turn.role).join(' ') === EXPECTED_TURNS[expected] &&
        end.status === 'succeeded',
      turns: mine.length,
      ...slice,
      wallMs,
      verificationMs,
      overheadMs: wallMs - slice.modelMs - slice.toolMs - verificationMs,
      harnessMs: wallMs - slice.modelMs - slice.toolMs - verificationMs - slice.piMs,
    };
  });
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

export function measure(raw: RawRun): RunFigures {
  const completions = raw.requests.filter((request) => request.completionIndex !== undefined);
  const turns = collectTurns(raw.events, completions);
  const tasks = taskFigures(raw.events, turns);
  const total = turnSlice(turns);
  const body = bodyComposition(completions);
  const verificationMs = sum(tasks, (task) => task.verificationMs);
  const iterationMs = sum(tasks, (task) => task.wallMs);
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
      wallMs: raw.wallMs,
      verificationMs,
      overheadMs: raw.wallMs - total.modelMs - total.toolMs - verificationMs,
      harnessMs: raw.wallMs - total.modelMs - total.toolMs - verificationMs - total.piMs,
    },
    roles: roleFigures(turns),
    tasks,
    betweenTurnsMs: iterationMs - total.wallMs - verificationMs,
    runFrameMs: raw.wallMs - iterationMs,
    body,
    memory: summariseMemory(raw.memory),
    pathsOk: tasks.length > 0 && tasks.every((task) => task.pathOk),
  };
}
