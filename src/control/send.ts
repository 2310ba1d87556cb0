/**
 * Sends a request to a running run and waits for its acknowledgement: the request goes into the
 * run's inbox, and the run's journal is followed (from where it ended before the request was
 * written) until the run journals `control_received` with the request's id. A run that does not
 * answer in time gets its request withdrawn, so a late run never acts on an order its requester
 * reported as failed.
 */
import type { ReadEvent, ReadEventOf } from '../journal/decode.js';
import { fileSize, JournalTail } from '../journal/tail.js';
import { postRequest, withdrawRequest } from './inbox.js';
import type { ControlRequest } from './request.js';

export interface SendOptions {
  inboxDir: string;
  journal: string;
  request: ControlRequest;
  /** How long the run has to journal control_received (the CLI's default is 10 s). */
  waitMs: number;
  /** After control_received, how long to wait for control_applied as well (default 0: not at all). */
  appliedWithinMs?: number;
}

export type SendResult =
  | {
      kind: 'received';
      received: ReadEventOf<'control_received'>;
      /** control_applied, when the run settled the request within `appliedWithinMs`. */
      applied?: ReadEventOf<'control_applied'>;
    }
  /** No acknowledgement in time; `withdrawn`: the run never took the request (else it took it and went silent). */
  | { kind: 'timeout'; withdrawn: boolean };

export async function sendControl(options: SendOptions): Promise<SendResult> {
  const { request } = options;
  let received: ReadEventOf<'control_received'> | undefined;
  let applied: ReadEventOf<'control_applied'> | undefined;
  let notify = () => {};
  const onEvent = (event: ReadEvent) => {
    if (event.type === 'control_received' && event.id === request.id) received = event;
    if (event.type === 'control_applied' && event.id === request.id) applied = event;
    if (received) notify();
  };
  const tail = new JournalTail(options.journal, onEvent, { fromOffset: await fileSize(options.journal), pollMs: 50 });
  try {
    await tail.start();
    await postRequest(options.inboxDir, request);
    await until(
      () => received !== undefined,
      options.waitMs,
      (wake) => (notify = wake),
    );
    if (!received) return { kind: 'timeout', withdrawn: await withdrawRequest(options.inboxDir, request.id) };
    if (options.appliedWithinMs)
      await until(
        () => applied !== undefined,
        options.appliedWithinMs,
        (wake) => (notify = wake),
      );
    return { kind: 'received', received, ...(applied ? { applied } : {}) };
  } finally {
    tail.close();
  }
}

/** Resolves when `done()` holds (checked whenever woken) or after `ms`. */
function until(done: () => boolean, ms: number, setWake: (wake: () => void) => void): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    setWake(() => {
      if (!done()) return;
      clearTimeout(timer);
      resolve();
    });
  });
}
