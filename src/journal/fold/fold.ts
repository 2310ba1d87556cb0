/**
 * The one fold of a run's journal: events in, facts out (facts.ts). Every view reads it — the
 * projections (telemetry, last iteration, failures, tester feedback, token usage, the run summary),
 * `report`, and the `status` command and dashboard to come — so no two of them can count
 * differently. It is incremental (`apply` one event at a time, live or from a file, no re-reading)
 * and cheap (mutation in place, constant work per event), and it uses nothing but plain JavaScript
 * so a browser can run it on the events a dashboard streams.
 */
import type { DecodableType, ReadEvent, ReadEventOf } from '../decode.js';
import {
  emptyRun,
  emptyTallies,
  KEPT_OUTPUT_CHARS,
  MAX_TURN_TOOLS,
  newIteration,
  OLD_OUTPUT_CHARS,
  RECENT_OUTPUT_ITERATIONS,
  type ControlFacts,
  type IterationFacts,
  type TaskEntryFacts,
  type RunFacts,
  type Tallies,
  type Tally,
  type TaskOutcome,
  type TurnFacts,
  type TurnInFlight,
  type WorkerFacts,
  newWorker,
} from './facts.js';
import {
  addMerge,
  endWorkerIteration,
  removeWorktree,
  startWorker,
  startWorkerIteration,
  startWorkerTurn,
  workerTurn,
} from './worker-events.js';
import {
  addCommit,
  addIntegrityBaseline,
  addIntegrityCheck,
  addIntegrityFinding,
  addLargeFiles,
  addTurn,
  addVerdict,
  addVerification,
  addVisualReview,
  cutOutput,
  endIteration,
  turnFacts,
} from './iteration-events.js';
import {
  applyControl,
  emptyControl,
  markDone,
  parkInList,
  receiveControl,
  replaceTaskList,
  unparkInList,
} from './operator.js';
import { addGuardrailBlock, addGuardrailRestore } from './guardrail-events.js';
import { bump, repoRelative, tallyTurn } from './tallies.js';
import { addUsageInto, emptyUsage } from '../../vocabulary/turns.js';

export interface FoldOptions {
  /** Tool paths are grouped relative to this root (default: the run_start's repoRoot). */
  repoRoot?: string;
}

type Handler<T extends DecodableType> = (fold: JournalFold, event: ReadEventOf<T>) => void;

type TallyEntries = Record<keyof Tallies, [string, Tally][]>;

/**
 * The fold as plain JSON, to go on folding elsewhere (the dashboard page applies the events that
 * follow to it). Only the latest iterations travel; events only ever touch the iteration in flight.
 */
export interface FoldSnapshot {
  run: RunFacts;
  iterations: IterationFacts[];
  /** Earlier iterations left out of `iterations`. */
  omittedIterations: number;
  tallies: TallyEntries;
  tasks: [string, TaskOutcome][];
  current: number | null;
  turn: TurnInFlight | null;
  lastTurn: { iteration: number; facts: TurnFacts } | null;
  taskList: TaskEntryFacts[];
  control: ControlFacts;
  /** A parallel run's workers (absent in snapshots saved before parallel runs were folded). */
  workers?: [string, WorkerFacts][];
  internal: { repoRoot: string | null; requestedModel: string | null; toolShare: { tokens: number; cost: number } };
}

export interface SnapshotOptions {
  /** How many of the latest iterations to include (default all). */
  iterations?: number;
  /** Each verification output is cut to its last this many characters (default: whole). */
  outputChars?: number;
}

function trimOutput(it: IterationFacts, chars: number | undefined): IterationFacts {
  const last = it.lastVerification;
  if (chars === undefined || !last || last.output.length <= chars) return it;
  return { ...it, lastVerification: { ...last, output: last.output.slice(-chars) } };
}

export class JournalFold {
  readonly run: RunFacts;
  /** Every iteration the run started, oldest first. */
  readonly iterations: IterationFacts[] = [];
  readonly tallies: Tallies = emptyTallies();
  /** Each task the run worked on, by task id. */
  readonly tasks = new Map<string, TaskOutcome>();
  /** A parallel run's workers, by worker id (empty in a sequential run). */
  readonly workers = new Map<string, WorkerFacts>();
  /**
   * The iteration in flight: started and not yet ended. With parallel workers, the latest started
   * of theirs still in flight (each worker's own is `workers`' `iteration`).
   */
  current: IterationFacts | undefined;
  /** The agent turn in flight; with parallel workers the latest started (each one's own: `workers`' `turn`). */
  turn: TurnInFlight | undefined;
  /** The turn the latest turn_end recorded, with the iteration it belongs to. */
  lastTurn: { iteration: number; facts: TurnFacts } | undefined;
  /** The task file as last journaled, with the parks, unparks and ticks since (empty: never journaled). */
  readonly taskList: TaskEntryFacts[] = [];
  /** Operator control: paused or not, and the requests with how they were settled. */
  readonly control: ControlFacts = emptyControl();
  private readonly byNumber = new Map<number, IterationFacts>();
  private readonly repoRoot: string | undefined;
  /** The model each iteration's pending turn_start asked for. */
  private requestedModel: string | null = null;
  /**
   * Ended iterations, oldest first, whose output is not yet cut to OLD_OUTPUT_CHARS; the last one's
   * output is whole until the next one ends.
   */
  private readonly recentEnded: IterationFacts[] = [];
  /** The share of the latest turn's tokens and cost each of its tool calls carries. */
  private toolShare = { tokens: 0, cost: 0 };

  constructor(runId = '', options: FoldOptions = {}) {
    this.run = emptyRun(runId);
    this.repoRoot = options.repoRoot;
  }

  /** The fold as plain data (see FoldSnapshot). */
  snapshot(options: SnapshotOptions = {}): FoldSnapshot {
    const keep = Math.min(this.iterations.length, options.iterations ?? this.iterations.length);
    const tallies = Object.fromEntries(
      (Object.keys(this.tallies) as (keyof Tallies)[]).map((key) => [key, [...this.tallies[key]]]),
    ) as TallyEntries;
    return {
      run: this.run,
      iterations: this.iterations.slice(this.iterations.length - keep).map((it) => trimOutput(it, options.outputChars)),
      omittedIterations: this.iterations.length - keep,
      tallies,
      tasks: [...this.tasks],
      current: this.current?.iteration ?? null,
      turn: this.turn ?? null,
      lastTurn: this.lastTurn ?? null,
      taskList: this.taskList,
      control: this.control,
      workers: [...this.workers],
      internal: { repoRoot: this.repoRoot ?? null, requestedModel: this.requestedModel, toolShare: this.toolShare },
    };
  }

  /**
   * A fold that goes on from a snapshot: its own copy, unless `adopt` says the snapshot is the
   * caller's to give away (freshly parsed JSON), which saves copying a large one.
   */
  static restore(snapshot: FoldSnapshot, options: { adopt?: boolean } = {}): JournalFold {
    const copy = options.adopt ? snapshot : structuredClone(snapshot);
    const fold = new JournalFold(copy.run.runId, copy.internal.repoRoot ? { repoRoot: copy.internal.repoRoot } : {});
    Object.assign(fold.run, copy.run);
    for (const it of copy.iterations) {
      fold.iterations.push(it);
      fold.byNumber.set(it.iteration, it);
      if (it.ended) fold.recentEnded.push(it);
    }
    for (const key of Object.keys(copy.tallies) as (keyof Tallies)[])
      for (const [name, tally] of copy.tallies[key]) fold.tallies[key].set(name, tally);
    for (const [id, outcome] of copy.tasks) fold.tasks.set(id, outcome);
    fold.current = copy.current === null ? undefined : fold.byNumber.get(copy.current);
    fold.turn = copy.turn ?? undefined;
    fold.lastTurn = copy.lastTurn ?? undefined;
    fold.taskList.push(...copy.taskList);
    Object.assign(fold.control, copy.control);
    for (const [id, facts] of copy.workers ?? []) {
      // One object for the turn that is both the run's latest and a worker's own, as when live.
      const same = facts.turn && fold.turn && facts.turn.iteration === fold.turn.iteration;
      fold.workers.set(id, { ...newWorker(id), ...facts, ...(same ? { turn: fold.turn! } : {}) });
    }
    fold.requestedModel = copy.internal.requestedModel;
    fold.toolShare = copy.internal.toolShare;
    return fold;
  }

  /** The iteration numbered `iteration`, if the run started it. */
  iteration(iteration: number | undefined): IterationFacts | undefined {
    return iteration === undefined ? undefined : this.byNumber.get(iteration);
  }

  apply(event: ReadEvent): void {
    if (!this.run.runId) this.run.runId = event.runId;
    this.run.updatedAt = event.at || this.run.updatedAt;
    this.run.lastSeq = event.seq;
    const it = 'iteration' in event ? this.iteration(event.iteration) : undefined;
    if (it && event.at) it.lastAt = event.at;
    (HANDLERS[event.type] as Handler<DecodableType> | undefined)?.(this, event as ReadEventOf<DecodableType>);
  }

  /** @internal Handlers reach the private parts through these. */
  startIteration(event: ReadEventOf<'iteration_start'>): void {
    if (event.iteration === undefined) return;
    const it = newIteration(this.run.runId, event.iteration, event.task ?? null, event.at || null);
    it.worker = event.worker ?? null;
    it.startCommit = event.startCommit ?? null;
    if (!this.byNumber.has(event.iteration)) this.iterations.push(it);
    else this.iterations[this.iterations.indexOf(this.byNumber.get(event.iteration)!)] = it;
    this.byNumber.set(event.iteration, it);
    this.current = it;
    startWorkerIteration(this.workers, it);
    if (!it.worker) this.turn = undefined;
    else if (this.turn?.iteration === it.iteration) this.turn = this.latestWorkerTurn();
    if (it.task) {
      const known = this.tasks.get(it.task.id);
      this.tasks.set(it.task.id, {
        task: it.task,
        iterations: (known?.iterations ?? 0) + 1,
        status: 'running',
        reason: null,
      });
    }
  }

  /** @internal */
  startTurn(event: ReadEventOf<'turn_start'>): void {
    this.requestedModel = event.model ?? null;
    const it = this.iteration(event.iteration);
    if (it) it.step = `${event.role ?? 'agent'} turn`;
    const turn: TurnInFlight = {
      iteration: event.iteration ?? 0,
      role: event.role ?? 'unknown',
      step: event.step ?? event.role ?? 'unknown',
      model: event.model ?? null,
      startedAt: event.at,
      toolCalls: 0,
      lastTool: null,
      tools: [],
      usage: emptyUsage(),
      modelRequests: 0,
      contextTokens: null,
      contextWindow: event.contextWindow ?? null,
    };
    this.turn = turn;
    if (event.worker !== undefined) startWorkerTurn(this.workers, event.worker, turn);
  }

  /** @internal The turns in flight an event of a turn updates: its worker's own and the run's latest, once each. */
  turnsOf(event: { worker?: string; iteration?: number }): TurnInFlight[] {
    if (event.worker === undefined) return this.turn ? [this.turn] : [];
    const own = workerTurn(this.workers, event.worker, event.iteration);
    const latest = this.turn?.iteration === event.iteration ? this.turn : undefined;
    return [own, latest].filter((turn, index, all): turn is TurnInFlight => !!turn && all.indexOf(turn) === index);
  }

  /** The latest started turn a worker still has in flight (the run-wide turn after the latest one ended). */
  private latestWorkerTurn(): TurnInFlight | undefined {
    let latest: TurnInFlight | undefined;
    for (const facts of this.workers.values())
      if (facts.turn && (!latest || facts.turn.startedAt > latest.startedAt)) latest = facts.turn;
    return latest;
  }

  /** The latest started iteration a worker is still on (the run-wide current after the latest one ended). */
  private latestWorkerIteration(): IterationFacts | undefined {
    let latest: IterationFacts | undefined;
    for (const facts of this.workers.values()) {
      const it = facts.phase === 'working' ? this.iteration(facts.iteration ?? undefined) : undefined;
      if (it && !it.ended && (!latest || it.iteration > latest.iteration)) latest = it;
    }
    return latest;
  }

  /** @internal */
  endTurn(event: ReadEventOf<'turn_end'>): void {
    const own = event.worker === undefined ? undefined : this.workers.get(event.worker);
    const ownTurn = workerTurn(this.workers, event.worker, event.iteration);
    const turn = turnFacts(event, ownTurn ? ownTurn.model : this.requestedModel);
    this.requestedModel = null;
    if (own && own.turn === ownTurn) own.turn = null;
    if (event.worker === undefined) this.turn = undefined;
    else if (this.turn?.iteration === event.iteration) this.turn = this.latestWorkerTurn();
    this.lastTurn = { iteration: event.iteration ?? 0, facts: turn };
    const it = this.iteration(event.iteration);
    if (it) addTurn(it, turn, event);
    tallyTurn(this.tallies, turn);
    const calls = Math.max(1, turn.toolCalls);
    this.toolShare = { tokens: (turn.usage.input + turn.usage.output) / calls, cost: turn.usage.cost / calls };
  }

  /** @internal A finished tool call; it carries its share of the turn_end before it. */
  addTool(event: ReadEventOf<'tool'>): void {
    const { tokens, cost } = this.toolShare;
    const durationMs = event.durationMs ?? 0;
    bump(this.tallies.byTool, event.name ?? 'unknown', tokens, cost, durationMs);
    if (event.path)
      bump(this.tallies.byFile, repoRelative(this.repoRoot ?? this.run.repoRoot, event.path), tokens, cost, durationMs);
  }

  /** @internal */
  endIteration(event: ReadEventOf<'iteration_end'>): void {
    const it = this.iteration(event.iteration);
    if (!it) return;
    const wasEnded = it.ended;
    endIteration(it, event);
    endWorkerIteration(this.workers, it);
    if (this.current === it) this.current = it.worker ? this.latestWorkerIteration() : undefined;
    if (this.turn?.iteration === it.iteration) this.turn = it.worker ? this.latestWorkerTurn() : undefined;
    if (!wasEnded) {
      const status = it.status ?? 'failed';
      this.run.ended += 1;
      if (status === 'succeeded') this.run.succeeded += 1;
      this.run.counts[status] = (this.run.counts[status] ?? 0) + 1;
      addUsageInto(this.run.usage, it.usage);
      this.cutOldOutputs(it);
    }
    // A worker's task is done once merged: the merge queue ticks it on the start branch.
    if (it.task && it.status === 'succeeded' && !it.worker) markDone(this.taskList, it.task.id);
    if (it.task && it.status) {
      const known = this.tasks.get(it.task.id);
      this.tasks.set(it.task.id, {
        task: it.task,
        iterations: known?.iterations ?? 1,
        status: it.status,
        reason: it.reason,
      });
    }
  }

  /** Cuts the outputs of ended iterations to what a long run keeps of them (see KEPT_OUTPUT_CHARS). */
  private cutOldOutputs(ended: IterationFacts): void {
    const previous = this.recentEnded.at(-1);
    if (previous === ended) return;
    if (previous) cutOutput(previous, KEPT_OUTPUT_CHARS);
    this.recentEnded.push(ended);
    while (this.recentEnded.length > RECENT_OUTPUT_ITERATIONS) cutOutput(this.recentEnded.shift()!, OLD_OUTPUT_CHARS);
  }
}

function withIteration<T extends DecodableType>(
  apply: (it: IterationFacts, event: ReadEventOf<T>, fold: JournalFold) => void,
): Handler<T> {
  return (fold, event) => {
    const it = fold.iteration((event as { iteration?: number }).iteration);
    if (it) apply(it, event, fold);
  };
}

const HANDLERS: { [T in DecodableType]?: Handler<T> } = {
  run_start: (fold, event) => {
    const run = fold.run;
    run.command = event.command ?? null;
    run.pid = event.pid ?? null;
    run.version = event.version ?? null;
    run.transport = event.transport ?? null;
    run.repoRoot = event.repoRoot ?? null;
    run.budgets = event.budgets ?? null;
    run.startedAt = event.at || null;
  },
  run_end: (fold, event) => {
    const run = fold.run;
    run.finished = true;
    run.endedAt = event.at || null;
    run.exitCode = event.exitCode ?? null;
    run.stopReason = event.reason ?? null;
    run.result = event.result ?? null;
    run.stop = event.stop ?? null;
    run.reportedIterations = event.iterations ?? null;
    run.reportedSucceeded = event.succeeded ?? null;
    fold.current = undefined;
    fold.turn = undefined;
    for (const facts of fold.workers.values()) facts.turn = null;
    fold.control.paused = false;
    fold.control.pausedAt = null;
  },
  iteration_start: (fold, event) => fold.startIteration(event),
  turn_start: (fold, event) => fold.startTurn(event),
  turn_usage: (fold, event) => {
    const usage = event.usage;
    if (!usage) return;
    for (const turn of fold.turnsOf(event)) {
      addUsageInto(turn.usage, usage);
      turn.modelRequests = event.modelRequests ?? turn.modelRequests + 1;
      turn.contextTokens = usage.input + usage.cacheRead + usage.cacheWrite;
    }
  },
  tool_start: (fold, event) => {
    for (const turn of fold.turnsOf(event)) addToolStart(turn, event);
  },
  turn_end: (fold, event) => fold.endTurn(event),
  tool: (fold, event) => fold.addTool(event),
  provider_wait: (fold, event) => {
    const waits = fold.run.providerWaits;
    waits.count += 1;
    waits.totalMs += event.waitMs ?? 0;
    waits.last = event.message ?? waits.last;
  },
  verification_start: withIteration((it) => {
    it.step = 'verification';
  }),
  verification: withIteration((it, event) => addVerification(it, event)),
  verdict: withIteration((it, event) => addVerdict(it, event)),
  integrity_baseline_start: withIteration((it) => {
    it.step = 'baseline verification';
  }),
  integrity_baseline: withIteration((it, event) => addIntegrityBaseline(it, event)),
  integrity_finding: withIteration((it, event, fold) => {
    if (addIntegrityFinding(it, event)) fold.run.integrityFindings += 1;
  }),
  integrity_check: withIteration((it, event) => addIntegrityCheck(it, event)),
  commit: (fold, event) => {
    const it = fold.iteration(event.iteration);
    if (it) addCommit(it, event);
    if (it?.commit) fold.run.commits.push({ ...it.commit, iteration: it.iteration });
  },
  rescue: (fold, event) => {
    if (!event.ref || event.iteration === undefined) return;
    const rescue = {
      ref: event.ref,
      commit: event.commit ?? null,
      patchFile: event.patchFile ?? null,
      files: event.files ?? [],
    };
    const it = fold.iteration(event.iteration);
    fold.run.rescues.push({ ...rescue, iteration: event.iteration });
    if (it) it.rescue = rescue;
    else fold.run.orphanRescues.push({ ...rescue, iteration: event.iteration });
  },
  iteration_end: (fold, event) => fold.endIteration(event),
  budget: (fold, event) => {
    fold.run.incidents.push({
      kind: 'budget',
      budget: event.kind ?? null,
      limit: event.limit ?? null,
      used: event.used ?? null,
      action: event.action ?? null,
      message: event.message ?? null,
    });
  },
  breaker: (fold, event) => {
    fold.run.incidents.push({
      kind: 'breaker',
      consecutiveFailures: event.consecutiveFailures ?? null,
      limit: event.limit ?? null,
    });
  },
  visual_start: withIteration((it) => {
    it.step = 'visual review';
  }),
  visual_review: withIteration((it, event) => addVisualReview(it, event)),
  guardrail_block: (fold, event) => {
    addGuardrailBlock(fold.run.guardrails, event);
    const it = fold.iteration(event.iteration);
    if (it) addGuardrailBlock(it.guardrails, event);
  },
  guardrail_restore: (fold, event) => {
    addGuardrailRestore(fold.run.guardrails, event, false);
    const it = fold.iteration(event.iteration);
    if (it) addGuardrailRestore(it.guardrails, event, true);
  },
  warning: (fold, event) => {
    if (event.message) fold.run.warnings.push(event.message);
  },
  error: (fold, event) => {
    const message = event.message ?? 'unknown error';
    fold.run.errors.push({ at: event.at, iteration: event.iteration ?? null, message });
    const it = fold.iteration(event.iteration);
    if (it) it.errors.push(message);
    else fold.run.incidents.push({ kind: 'error', message });
  },
  worker_start: (fold, event) => startWorker(fold.workers, event),
  merge: (fold, event) => {
    addMerge(fold.workers, event);
    if (event.outcome === 'merged' && event.task) markDone(fold.taskList, event.task.id);
  },
  worktree_removed: (fold, event) => removeWorktree(fold.workers, event),
  task_list: (fold, event) => replaceTaskList(fold.taskList, event),
  task_parked: (fold, event) => parkInList(fold.taskList, event),
  task_unparked: (fold, event) => unparkInList(fold.taskList, event),
  control_received: (fold, event) => receiveControl(fold.control, event),
  control_applied: (fold, event) => applyControl(fold.control, event),
  large_files: withIteration((it, event) => addLargeFiles(it, event.files ?? [])),
  large_file: withIteration((it, event) => {
    if (event.path && event.lines !== undefined) addLargeFiles(it, [{ path: event.path, lines: event.lines }]);
  }),
};

function addToolStart(turn: TurnInFlight, event: ReadEventOf<'tool_start'>): void {
  turn.toolCalls += 1;
  const name = event.name ?? 'tool';
  turn.lastTool = event.path ? { name, path: event.path } : { name };
  turn.tools.push({
    name,
    ...(event.path ? { path: event.path } : {}),
    ...(event.command ? { command: event.command } : {}),
    at: event.at,
  });
  if (turn.tools.length > MAX_TURN_TOOLS) turn.tools.shift();
}
