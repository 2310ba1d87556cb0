/**
 * Folds pi events of one turn into the facts a TurnResult reports: usage per model request, tool
 * calls and their errors, retry waits, and the final assistant message. No timers, no I/O.
 */

import { addUsage, emptyUsage, type RetryWait, type TokenUsage, type ToolCallRecord } from '../types.js';
import type { AssistantInfo, PiEvent } from './events.js';
import { classifyProviderError, redactSecrets } from './provider-errors.js';
import { toolCallPath } from './watchdog.js';

const ERROR_EXCERPT_CHARS = 500;

export class TurnAccumulator {
  usage: TokenUsage = emptyUsage();
  modelRequests = 0;
  readonly toolCalls: ToolCallRecord[] = [];
  readonly retries: RetryWait[] = [];
  /** The most recent assistant message (authoritative message_end form). */
  lastAssistant: AssistantInfo | undefined;
  /** The last non-empty assistant text, for turns whose final message is text-less. */
  private lastText = '';
  private readonly running = new Map<string, ToolCallRecord>();
  agentEnded = false;
  settled = false;
  /** Between compaction_start and compaction_end: pi is waiting on a (silent) summary call. */
  compacting = false;
  /** pi's reason when compaction (also overflow recovery) failed, e.g. "Context overflow recovery failed: …". */
  compactionError: string | undefined;

  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  get toolRunning(): boolean {
    return this.running.size > 0;
  }

  runningToolNames(): string[] {
    return [...this.running.values()].map((c) => c.name);
  }

  get toolErrors(): number {
    return this.toolCalls.filter((c) => c.isError).length;
  }

  get finalText(): string {
    const text = this.lastAssistant?.text ?? '';
    return text.trim() !== '' ? text : this.lastText;
  }

  /** A new prompt goes to the same agent within this turn (the transport's provider retry). */
  beginRound(): void {
    this.agentEnded = false;
    this.settled = false;
  }

  /** Records a wait the transport itself is about to sit through. */
  recordRetry(wait: RetryWait): void {
    this.retries.push(wait);
  }

  /** Applies one event; returns what changed so the runner can report progress. */
  apply(event: PiEvent): TurnChange {
    switch (event.kind) {
      case 'agent_start':
        this.agentEnded = false;
        return { kind: 'none' };
      case 'agent_end':
        this.agentEnded = !event.willRetry;
        return { kind: 'none' };
      case 'agent_settled':
        this.settled = true;
        return { kind: 'none' };
      case 'message_end': {
        if (!event.assistant) return { kind: 'none' };
        this.modelRequests++;
        this.usage = addUsage(this.usage, event.assistant.usage);
        this.lastAssistant = event.assistant;
        if (event.assistant.text.trim() !== '') this.lastText = event.assistant.text;
        return { kind: 'usage', usage: event.assistant.usage };
      }
      case 'compaction_start':
        this.compacting = true;
        return { kind: 'none' };
      case 'compaction_end': {
        this.compacting = false;
        if (event.errorMessage) this.compactionError = event.errorMessage;
        if (!event.usage) return { kind: 'none' };
        // The summary is a paid model request (observed: one per compaction here; a split turn
        // can make two, reported as one combined usage).
        this.modelRequests++;
        this.usage = addUsage(this.usage, event.usage);
        return { kind: 'usage', usage: event.usage };
      }
      case 'tool_execution_start': {
        const record: ToolCallRecord = {
          id: event.toolCallId,
          name: event.toolName,
          args: event.args,
          startedAt: this.now(),
          isError: false,
        };
        const path = toolCallPath(event.args);
        if (path !== undefined) record.path = path;
        this.toolCalls.push(record);
        this.running.set(event.toolCallId, record);
        return { kind: 'tool_start', call: record };
      }
      case 'tool_execution_end': {
        const record = this.running.get(event.toolCallId) ?? this.toolCalls.find((c) => c.id === event.toolCallId);
        this.running.delete(event.toolCallId);
        if (!record) return { kind: 'none' };
        record.durationMs = this.now() - record.startedAt;
        record.isError = event.isError;
        if (event.isError) record.error = event.resultText.slice(0, ERROR_EXCERPT_CHARS);
        return { kind: 'tool_end', call: record };
      }
      case 'auto_retry_start': {
        const wait: RetryWait = {
          attempt: event.attempt,
          waitMs: event.delayMs,
          message: redactSecrets(event.errorMessage).slice(0, ERROR_EXCERPT_CHARS),
          by: 'pi',
          startedAt: this.now(),
        };
        const status = classifyProviderError(event.errorMessage).status;
        if (status !== undefined) wait.status = status;
        this.retries.push(wait);
        return { kind: 'retry_wait', wait };
      }
      default:
        return { kind: 'none' };
    }
  }
}

export type TurnChange =
  | { kind: 'none' }
  | { kind: 'usage'; usage: TokenUsage }
  | { kind: 'tool_start'; call: ToolCallRecord }
  | { kind: 'tool_end'; call: ToolCallRecord }
  | { kind: 'retry_wait'; wait: RetryWait };
