/**
 * The pi extension the harness loads for every role (`pi --extension <this file, built>`; an
 * explicit extension loads even with `--no-extensions`). It blocks tool calls that could cost the
 * user data: pi turns a `{ block: true, reason }` answer into an error tool result carrying the
 * reason, so the model reads which rule it broke and carries on. If this handler throws, pi blocks
 * the call too; if this file fails to load, pi refuses to start.
 */
import type { ExtensionAPI } from '@earendil-works/pi-coding-agent';
import { guardToolCall } from './guard.js';

export default function piHarnessGuardrails(pi: ExtensionAPI): void {
  pi.on('tool_call', (event, ctx) =>
    guardToolCall(
      { toolName: event.toolName, input: event.input, cwd: ctx.cwd, toolCallId: event.toolCallId },
      process.env,
    ),
  );
}
