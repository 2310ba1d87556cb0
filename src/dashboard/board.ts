/**
 * Which run the dashboard shows and how it follows it. In a `run` with the dashboard on, the run
 * itself is attached (`attachLive`): its own fold is read, its journal events go straight to the
 * event stream. Otherwise (`visualize`, or before the run has opened) the repository is followed:
 * the active run when there is one — its journal tailed and folded here — else the newest run's
 * history; a new run is picked up within a second.
 */
import type { Config } from '../config/load.js';
import type { ReadEvent } from '../journal/decode.js';
import { JournalFold } from '../journal/fold/fold.js';
import { JournalTail } from '../journal/tail.js';
import type { LiveRun } from '../loop/run-loop.js';
import { findRunIn } from '../report/active-run.js';
import { harnessHome, type HarnessHome } from '../runtime/harness-home.js';
import { EventHub } from './hub.js';

export interface ShownRun {
  runId: string;
  journal: string;
  fold: JournalFold;
  /** The run is going on (its events still arrive). */
  live: boolean;
  /** Where control requests for it go; null once it is over. */
  inboxDir: string | null;
  /** Resolves once the journal as it stood has been folded. */
  ready: Promise<void>;
}

const FOLLOW_MS = 1000;

export class RunBoard {
  shown: ShownRun | undefined;
  readonly hub: EventHub;
  private readonly config: Config;
  private tail: JournalTail | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attached = false;
  private refreshing: Promise<void> | undefined;
  /** Resolved once: the poll below runs often and the place never changes while the board lives. */
  private home: Promise<HarnessHome> | undefined;

  constructor(config: Config) {
    this.config = config;
    this.hub = new EventHub(() => this.shown?.fold.run.lastSeq ?? 0);
  }

  /** The run of this very process: its fold and its events, as they happen. */
  attachLive(live: LiveRun): void {
    this.attached = true;
    this.stopTail();
    const shown: ShownRun = {
      runId: live.runId,
      journal: live.journal.file,
      fold: live.fold,
      live: true,
      inboxDir: live.inboxDir,
      ready: Promise.resolve(),
    };
    this.shown = shown;
    this.hub.reset(live.runId);
    live.journal.onEvent((event) => {
      if (this.shown !== shown) return;
      this.hub.publish(event);
      if (event.type === 'run_end') {
        shown.live = false;
        shown.inboxDir = null;
      }
    });
  }

  /** Follows the repository's runs until closed (visualize; a run's dashboard until the run opens). */
  async follow(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), FOLLOW_MS);
    this.timer.unref();
  }

  /** Looks again at which run is active (also what the follow timer does). */
  refresh(): Promise<void> {
    this.refreshing ??= this.lookAgain().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.stopTail();
    this.hub.close();
  }

  private async lookAgain(): Promise<void> {
    if (this.attached) return;
    this.home ??= harnessHome(this.config);
    const lookup = await findRunIn(await this.home);
    const target =
      lookup.kind === 'active'
        ? { runId: lookup.holder.runId, journal: lookup.journal, inboxDir: lookup.inboxDir }
        : lookup.latest
          ? { ...lookup.latest, inboxDir: null }
          : undefined;
    if (!target || this.attached) return;
    const shown = this.shown;
    if (shown?.runId === target.runId) {
      if (shown.live && target.inboxDir === null) {
        shown.live = false;
        shown.inboxDir = null;
      }
      return;
    }
    await this.show(target);
  }

  /** `inboxDir`: null when the run is not active (its journal is shown, nothing can be sent to it). */
  private async show(target: { runId: string; journal: string; inboxDir: string | null }): Promise<void> {
    this.stopTail();
    const fold = new JournalFold();
    const { inboxDir } = target;
    // What the journal held already is in the fold the page starts from: only later events stream.
    let loaded = false;
    const onEvent = (event: ReadEvent) => {
      fold.apply(event);
      if (loaded) this.hub.publish(event);
    };
    const tail = new JournalTail(target.journal, onEvent);
    this.tail = tail;
    const shown: ShownRun = { ...target, fold, live: inboxDir !== null, inboxDir, ready: Promise.resolve() };
    this.shown = shown;
    this.hub.reset(target.runId);
    shown.ready = tail.start().then(() => {
      loaded = true;
    });
    await shown.ready;
  }

  private stopTail(): void {
    this.tail?.close();
    this.tail = undefined;
  }
}
