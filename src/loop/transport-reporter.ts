/**
 * What the transport reports while a turn runs, turned into journal events (and budget usage), so
 * the terminal, the log and the dashboard see a tool call start, a provider wait or a nudge as it
 * happens — from the journal, like everything else.
 */
import type { TransportEvent } from '../agent/rpc/transport-events.js';
import type { Journal } from '../journal/writer.js';
import type { IterationBudgetWatch } from './budget-watch.js';

const COMMAND_EXCERPT_CHARS = 200;

export class TransportReporter {
  /** The iteration whose turns are running (set by the loop around each iteration). */
  iteration: number | undefined;

  private readonly journal: Journal;
  private readonly budget: IterationBudgetWatch;

  constructor(journal: Journal, budget: IterationBudgetWatch) {
    this.journal = journal;
    this.budget = budget;
  }

  readonly listener = (event: TransportEvent): void => {
    if (event.type === 'usage') this.budget.addUsage(event.usage);
    const iteration = this.iteration;
    if (event.type === 'retry_wait') {
      // Written before the wait, so a run that dies mid-wait still shows why.
      const { attempt, status, waitMs, message } = event.wait;
      this.journal.append({
        type: 'provider_wait',
        ...(iteration !== undefined ? { iteration } : {}),
        role: event.role,
        attempt,
        ...(status !== undefined ? { status } : {}),
        waitMs,
        message,
      });
    }
    if (iteration === undefined) return;
    this.journalTurnProgress(iteration, event);
  };

  private journalTurnProgress(iteration: number, event: TransportEvent): void {
    switch (event.type) {
      case 'usage':
        this.journal.append({
          type: 'turn_usage',
          iteration,
          role: event.role,
          usage: event.usage,
          modelRequests: event.modelRequests,
        });
        return;
      case 'tool_start': {
        const command = typeof event.args.command === 'string' ? event.args.command : undefined;
        this.journal.append({
          type: 'tool_start',
          iteration,
          role: event.role,
          name: event.name,
          ...(event.path ? { path: event.path } : {}),
          ...(command ? { command: command.slice(0, COMMAND_EXCERPT_CHARS) } : {}),
        });
        return;
      }
      case 'soft_continue':
        this.journal.append({ type: 'soft_continue', iteration, role: event.role, silentSeconds: event.silentSeconds });
        return;
      default:
        return;
    }
  }
}
