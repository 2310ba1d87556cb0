/**
 * Transport over real pi processes in RPC mode. A pi child holds one session at a time: a `new`
 * session starts in an idle child with the same launch settings (cwd, model, tools, thinking) when
 * there is one (session-pool.ts), else in a fresh child; `continue` uses the child still holding the
 * session when nothing that needs a restart changed, otherwise resumes the saved session file in a
 * new child.
 */

import { join } from 'node:path';
import { errorMessage } from '../../util/errors.js';
import {
  turnWithoutWork,
  type TerminalReason,
  type SteerOutcome,
  type Transport,
  type TurnLaunch,
  type TurnRequest,
  type TurnResult,
  type TurnStatus,
} from '../types.js';
import { loadoutExtensionPath } from '../lean/extension-path.js';
import { COMPACT_TOOLS_ENV, LOADOUT_COMMAND, loadoutMessage } from '../lean/loadout.js';
import { buildPiArgs, defaultPiCli, writeRetrySettings } from './pi-launch.js';
import { PiProcess } from './process.js';
import { redactSecrets } from './provider-errors.js';
import { resolveRetryPolicy, type RetryPolicy } from './retry-policy.js';
import { SessionPool, stateSignature, type PiWorker } from './session-pool.js';
import type { TransportEventListener } from './transport-events.js';
import { startPiTurn, type RunningTurn, type TurnOutcome, type TurnRunnerConfig } from './turn-runner.js';
import type { LoopThresholds, WatchdogThresholds } from './watchdog.js';

export interface RpcTransportOptions {
  /** pi executable or JS entry; default: the installed dependency's `pi` bin. */
  piCli?: string;
  /** The run directory; pi sessions are stored under `<runDir>/pi-sessions`. */
  runDir: string;
  /** The environment pi inherits (default: this process's); `env` is applied on top. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Extra environment for pi (e.g. PI_CODING_AGENT_DIR from preparePiAgentDir). */
  env?: Record<string, string>;
  watchdog?: Partial<WatchdogThresholds>;
  loops?: Partial<LoopThresholds>;
  noExtensions?: boolean;
  noSkills?: boolean;
  noPromptTemplates?: boolean;
  /** Extensions every pi loads (absolute paths), e.g. the guardrails. */
  extensions?: readonly string[];
  /**
   * Per-turn loadouts: every pi starts with these tools (all that any role may use) and the
   * harness's loadout extension, and each turn's `tools` and `systemPrompt` are applied to its
   * session just before its prompt (../lean/loadout.ts). One warm pi then hosts every role.
   * Without it, `tools` is fixed per process (`--tools`) and pi's own system prompt applies.
   */
  toolUniverse?: readonly string[];
  /** With toolUniverse: pi's tools carry the harness's compact texts (../lean/tool-text.ts). */
  compactTools?: boolean;
  /**
   * Waiting and retrying after refused model calls (429, 5xx, usage windows); missing fields take
   * DEFAULT_RETRY_POLICY. The transport does the retrying: with a private agent dir
   * (`env.PI_CODING_AGENT_DIR`) pi's own retries are switched off in its settings.json; without
   * one pi keeps its defaults and the transport only steps in once pi has given up.
   */
  retry?: Partial<RetryPolicy>;
  /** Sent to the same session after a provider wait. */
  providerRetryMessage?: string;
  /** Only used to name the endpoint in provider error messages. Keyed by `provider/id`. */
  modelEndpoints?: Record<string, { baseUrl: string; contextWindow?: number; maxTokens?: number }>;
  onEvent?: TransportEventListener;
  softContinueMessage?: string;
  /** How long pi may take to start and answer its first command. Default 60 s. */
  startupTimeoutSeconds?: number;
}

export const DEFAULT_WATCHDOG: WatchdogThresholds = {
  continueAfterSeconds: 120,
  toolContinueAfterSeconds: 0,
  noEventTimeoutSeconds: 600,
  toolNoEventTimeoutSeconds: 1800,
  agentTimeoutSeconds: 7200,
};
export const DEFAULT_LOOPS: LoopThresholds = { loopRepeatThreshold: 5, samePathRepeatThreshold: 12 };
export const DEFAULT_SOFT_CONTINUE = 'Continue with the task. If you are done, give your final answer.';
export const DEFAULT_PROVIDER_RETRY_MESSAGE =
  'The model provider was unavailable; continue the task where you left off.';

class StartupError extends Error {}

export function createRpcTransport(options: RpcTransportOptions): Transport {
  const transport = new RpcTransport(options);
  return {
    runTurn: (request, signal) => transport.runTurn(request, signal),
    steer: (text) => transport.steer(text),
    close: () => transport.close(),
    releaseSessions: () => transport.releaseSessions(),
    prewarm: (launch) => transport.prewarm(launch),
  };
}

/** The pi processes of one transport, the sessions they hold, and the turns run on them. */
class RpcTransport {
  private readonly options: RpcTransportOptions;
  private readonly piCli: string;
  private readonly sessionDir: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly pool = new SessionPool();
  private readonly procs = new Set<PiProcess>();
  private readonly startupMs: number;
  private readonly runnerConfig: TurnRunnerConfig;
  private closed = false;
  /** The turns running now (one, in a sequential run): guidance goes to the latest. */
  private readonly running: RunningTurn[] = [];
  /** Processes being started ahead of their turn, by launch key: settles once started or failed. */
  private readonly warming = new Map<string, Promise<void>>();
  /** A start ahead of its turn that failed, kept for that turn to report instead of trying again. */
  private readonly warmFailures = new Map<string, Error>();

  constructor(options: RpcTransportOptions) {
    this.options = options;
    this.piCli = options.piCli ?? defaultPiCli();
    this.sessionDir = join(options.runDir, 'pi-sessions');
    this.env = {
      ...(options.baseEnv ?? process.env),
      ...options.env,
      ...(options.toolUniverse && options.compactTools ? { [COMPACT_TOOLS_ENV]: '1' } : {}),
    };
    const agentDir = options.env?.PI_CODING_AGENT_DIR;
    if (agentDir) writeRetrySettings(agentDir);
    this.startupMs = (options.startupTimeoutSeconds ?? 60) * 1000;
    this.runnerConfig = runnerConfigFrom(options, this.emit);
  }

  /** An arrow, so the turn runner can call it on its own. */
  private readonly emit: TransportEventListener = (event) => {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A broken progress listener must not take a turn down.
    }
  };

  async runTurn(request: TurnRequest, signal?: AbortSignal): Promise<TurnResult> {
    const startedAt = Date.now();
    const fail = (status: TurnStatus, reason: TerminalReason, detail: string): TurnResult => {
      const result = bareResult(request, status, reason, detail, Date.now() - startedAt);
      this.emit({ type: 'turn_end', role: request.role, result });
      return result;
    };
    if (this.closed) return fail('failed', 'aborted', 'the transport is closed');
    if (signal?.aborted) return fail('failed', 'aborted', 'the turn was aborted before it started');
    if (request.session.kind === 'continue' && this.pool.holding(request.session.sessionId)?.busy) {
      return fail('failed', 'protocol_error', `session ${request.session.sessionId} is already running a turn`);
    }
    let acquired: { live: PiWorker; resumed: boolean };
    try {
      acquired = await this.acquire(request);
    } catch (error) {
      return fail('failed', error instanceof StartupError ? 'process_exit' : 'protocol_error', errorMessage(error));
    }
    const { live, resumed } = acquired;
    live.busy = true;
    live.reusable = false;
    const refused = await this.applyLoadout(live, request);
    if (refused !== undefined) {
      // A session in an unknown state hosts nothing more.
      this.pool.drop(live);
      await live.proc.kill();
      return fail('failed', 'protocol_error', refused);
    }
    this.emit({ type: 'turn_start', role: request.role, model: request.model, sessionId: live.sessionId, resumed });
    const turn = startPiTurn(live.proc, request, this.runnerConfig, signal);
    this.running.push(turn);
    try {
      const outcome = await turn.outcome;
      if (outcome.processLost || live.proc.exited) this.pool.drop(live);
      const acc = outcome.acc;
      // Only a pi that finished its run by itself is known to be idle; one stopped by a watchdog
      // or a rejected prompt is not handed another session.
      live.reusable = !outcome.processLost && !live.proc.exited && (acc.settled || acc.agentEnded);
      const result = turnResult(request, live, outcome, Date.now() - startedAt);
      this.emit({ type: 'turn_end', role: request.role, result });
      return result;
    } finally {
      this.running.splice(this.running.indexOf(turn), 1);
      live.busy = false;
      live.lastUsed = Date.now();
    }
  }

  steer(text: string): Promise<SteerOutcome> {
    const turn = this.running.at(-1);
    return turn ? turn.steer(text) : Promise.resolve({ kind: 'not_delivered', why: 'no turn is running' });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pool.takeAll();
    await Promise.all([...this.procs].map((p) => p.kill()));
  }

  /**
   * The loop calls this between iterations: ends every idle pi process but the most recent one per
   * launch key (kept warm for the next session, its tool processes ended), so an overnight run
   * holds a bounded number of pi processes. An ended session can still be continued from its file
   * (the transport restarts pi on it).
   */
  async releaseSessions(): Promise<void> {
    // A process switching to its next session is busy, and the release would pass it over: its
    // tool processes too.
    await Promise.all(this.warming.values());
    await this.pool.release();
  }

  /**
   * Readies pi for the next new session with these launch settings while the loop does other work
   * (the snapshot, the integrity baseline, the tests), so the turn finds it ready: starts pi when
   * none runs, or else moves an idle one on to its next session (pi's `new_session` builds the
   * whole session again, some 40 ms). Never while one is starting or switching.
   */
  prewarm(launch: TurnLaunch): void {
    const key = this.launchKey(launch);
    if (this.closed || this.warming.has(key)) return;
    if (this.pool.hasLaunched(key)) {
      this.switchAhead(key);
      return;
    }
    const started = this.launch(launch, undefined).then(
      (worker) => {
        worker.fresh = true;
        worker.reusable = true;
      },
      (error: unknown) => {
        this.warmFailures.set(key, error instanceof Error ? error : new Error(String(error)));
      },
    );
    this.warming.set(key, started);
    void started.finally(() => this.warming.delete(key));
  }

  /**
   * The most recent idle process of this launch key gets a new session now, marked ready for the
   * next new-session turn (claimFresh). The session it leaves stays on disk: continuing it resumes
   * its file. Nothing when a ready process is there already or no idle one can host another session.
   */
  private switchAhead(key: string): void {
    if (this.pool.hasFresh(key)) return;
    const warm = this.pool.claimWarm(key);
    if (!warm) return;
    const switching = this.pool.switchToNewSession(warm, this.startupMs).then((switched) => {
      if (!switched) return;
      warm.fresh = true;
      warm.busy = false;
    });
    this.warming.set(key, switching);
    void switching.finally(() => this.warming.delete(key));
  }

  /** Sends the turn's loadout to its session (loadouts only); the reason when pi refused it. */
  private async applyLoadout(live: PiWorker, request: TurnRequest): Promise<string | undefined> {
    if (!this.options.toolUniverse) return undefined;
    const offered = request.offeredTools ?? request.tools;
    const loadout = {
      tools: offered,
      ...(offered.every((tool) => request.tools.includes(tool)) ? {} : { allowed: request.tools }),
      ...(request.systemPrompt ? { systemPrompt: request.systemPrompt } : {}),
    };
    try {
      const answer = await live.proc.request({ type: 'prompt', message: loadoutMessage(loadout) }, this.startupMs);
      return answer.success ? undefined : `pi refused the turn's loadout: ${answer.error ?? 'no reason given'}`;
    } catch (error) {
      return `pi did not take the turn's loadout: ${errorMessage(error)}`;
    }
  }

  private launchKey(request: TurnLaunch): string {
    return launchKey(request, this.options.toolUniverse !== undefined);
  }

  private async acquire(request: TurnRequest): Promise<{ live: PiWorker; resumed: boolean }> {
    if (request.session.kind === 'new') {
      const key = this.launchKey(request);
      await this.warming.get(key);
      const failed = this.warmFailures.get(key);
      this.warmFailures.delete(key);
      if (failed) throw failed;
      const fresh = this.pool.claimFresh(key);
      if (fresh) return { live: fresh, resumed: false };
      const warm = this.pool.claimWarm(key);
      if (warm && (await this.pool.switchToNewSession(warm, this.startupMs))) return { live: warm, resumed: false };
      return { live: await this.launch(request, undefined), resumed: false };
    }
    const id = request.session.sessionId;
    const existing = this.pool.holding(id);
    if (existing && !existing.proc.exited && existing.launchKey === this.launchKey(request)) {
      return { live: existing, resumed: false };
    }
    if (existing) {
      this.pool.drop(existing);
      await existing.proc.kill();
    }
    // The session is not live (its process died, was released, or now holds a newer session):
    // pi resolves a session file path, or an id within --session-dir.
    return { live: await this.launch(request, this.pool.fileOf(id) ?? id), resumed: true };
  }

  private async launch(request: TurnLaunch, resume: string | undefined): Promise<PiWorker> {
    const universe = this.options.toolUniverse;
    const args = buildPiArgs({
      sessionDir: this.sessionDir,
      session: resume,
      model: request.model,
      tools: universe ?? request.tools,
      thinking: request.thinking,
      noExtensions: this.options.noExtensions,
      noSkills: this.options.noSkills,
      noPromptTemplates: this.options.noPromptTemplates,
      extensions: [...(this.options.extensions ?? []), ...(universe ? [loadoutExtensionPath()] : [])],
    });
    const proc = PiProcess.spawn({ piCli: this.piCli, args, cwd: request.cwd, env: this.env });
    this.procs.add(proc);
    void proc.waitForExit().then(() => this.procs.delete(proc));
    try {
      const worker = await this.firstWorker(proc, request);
      this.pool.add(worker);
      return worker;
    } catch (error) {
      await proc.kill();
      const tail = redactSecrets(proc.stderr().trim().split('\n').slice(-8).join('\n'));
      throw new StartupError(`pi failed to start: ${errorMessage(error)}${tail ? `\n${tail}` : ''}`);
    }
  }

  /** Asks a fresh pi for the session it started with. */
  private async firstWorker(proc: PiProcess, request: TurnLaunch): Promise<PiWorker> {
    const answer = await proc.request({ type: 'get_state' }, this.startupMs);
    if (!answer.success) throw new Error(answer.error ?? 'get_state returned no session');
    const state = answer.data;
    if (state.sessionId === undefined) throw new Error('get_state returned no session');
    if (this.options.toolUniverse) await requireLoadoutCommand(proc, this.startupMs);
    const worker: PiWorker = {
      proc,
      sessionId: state.sessionId,
      launchKey: this.launchKey(request),
      launchState: stateSignature(state),
      busy: false,
      reusable: false,
      hosted: 1,
      fresh: false,
      lastUsed: Date.now(),
    };
    if (state.sessionFile !== undefined) worker.sessionFile = state.sessionFile;
    return worker;
  }
}

function runnerConfigFrom(options: RpcTransportOptions, emit: TransportEventListener): TurnRunnerConfig {
  return {
    watchdog: { ...DEFAULT_WATCHDOG, ...options.watchdog },
    loops: { ...DEFAULT_LOOPS, ...options.loops },
    softContinueMessage: options.softContinueMessage ?? DEFAULT_SOFT_CONTINUE,
    tickMs: 250,
    abortSettleMs: 3000,
    emit,
    describeModel: (model) => describeModel(model, options.modelEndpoints),
    modelLimits: (model) => {
      const e = model ? options.modelEndpoints?.[model] : undefined;
      return { contextWindow: e?.contextWindow, maxTokens: e?.maxTokens };
    },
    retry: resolveRetryPolicy(options.retry),
    providerRetryMessage: options.providerRetryMessage ?? DEFAULT_PROVIDER_RETRY_MESSAGE,
  };
}

function turnResult(request: TurnRequest, live: PiWorker, outcome: TurnOutcome, durationMs: number): TurnResult {
  const acc = outcome.acc;
  const last = acc.lastAssistant;
  const result: TurnResult = {
    role: request.role,
    status: outcome.status,
    terminalReason: outcome.terminalReason,
    finalText: acc.finalText,
    toolCalls: acc.toolCalls,
    toolErrors: acc.toolErrors,
    usage: acc.usage,
    modelRequests: acc.modelRequests,
    retries: acc.retries,
    softContinues: outcome.softContinues,
    model: last?.provider && last.model ? `${last.provider}/${last.model}` : request.model,
    sessionId: live.sessionId,
    sessionFile: live.sessionFile,
    durationMs,
  };
  if (outcome.detail !== undefined) result.detail = outcome.detail;
  return result;
}

/** What a process is started with; with loadouts the tools are the session's, not the process's. */
function launchKey(r: TurnLaunch, loadouts: boolean): string {
  return JSON.stringify([r.cwd, r.model ?? null, loadouts ? null : [...r.tools], r.thinking ?? null]);
}

/**
 * A pi without the loadout command would hand the loadout to the model as a prompt: the process is
 * refused before any turn runs on it.
 */
async function requireLoadoutCommand(proc: PiProcess, timeoutMs: number): Promise<void> {
  const answer = await proc.request({ type: 'get_commands' }, timeoutMs);
  if (!answer.success || !answer.data.names.includes(LOADOUT_COMMAND))
    throw new Error(`the harness's loadout extension did not load (pi has no /${LOADOUT_COMMAND} command)`);
}

function describeModel(model: string | undefined, endpoints: RpcTransportOptions['modelEndpoints']): string {
  if (!model) return "pi's default model";
  const endpoint = endpoints?.[model]?.baseUrl;
  return endpoint
    ? `${model} at ${endpoint}`
    : `${model} (endpoint not configured in pi-harness; see pi's models.json)`;
}

function bareResult(
  request: TurnRequest,
  status: TurnStatus,
  reason: TerminalReason,
  detail: string,
  durationMs: number,
): TurnResult {
  return turnWithoutWork(request, { status, terminalReason: reason, detail, durationMs });
}
