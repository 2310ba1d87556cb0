/**
 * Sections shared by the role prompts. Each returns markdown without surrounding blank lines, or
 * undefined when it has nothing to say, so builders can list sections and `joinSections` drops
 * the empty ones.
 *
 * Prompt order (every builder): stable parts first (role heading, instructions, harness rules:
 * the same bytes every turn of a run), variable parts last (task, handoffs). Local servers
 * (llama.cpp, vLLM, Ollama) reuse the KV cache of the longest common prefix of consecutive
 * requests, so a stable head means only the tail is prefilled again.
 */
import { testerFindings } from './tester-reply.js';
import { capLines, capList, cleanOutput, limit, lineLimit, truncateLongLines } from './compact.js';
import type { PromptContext } from './types.js';

export function joinSections(sections: readonly (string | undefined)[]): string {
  return `${sections.filter((section): section is string => section !== undefined && section !== '').join('\n\n')}\n`;
}

/** A code fence longer than any backtick run inside `text`, so the text cannot close it early. */
export function fenced(text: string, info = ''): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (match) => match[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

/** Inline code for a path or command; falls back to double backticks when it contains one. */
export function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

export function instructionsBlock(instructions: string): string | undefined {
  const text = instructions.trim();
  return text === '' ? undefined : text;
}

/**
 * The task, named verbatim (docs/task-file.md): text and phase exactly as written in the task file, then its
 * detail lines (sub-items, blocker notes) as written.
 */
export function taskSection(ctx: PromptContext, heading: string, options: { details?: boolean } = {}): string {
  const { task } = ctx;
  const lines = [`## ${heading}`, `- File: ${code(ctx.taskFileRelative)}, line ${task.line}`];
  if (task.phase !== null) lines.push(`- Phase: ${task.phase}`);
  lines.push(`- Task: ${task.text}`);
  if (options.details !== false && task.details.length > 0) lines.push('', 'Details:', ...task.details);
  return lines.join('\n');
}

/** Loop constraints, large-file warnings and free notes: one list, capped at maxPromptNotesLines. */
export function notesSection(ctx: PromptContext): string | undefined {
  const items = [
    ...(ctx.loopConstraints ?? []),
    ...(ctx.largeFileWarnings ?? []).map(
      (warning) =>
        `${code(warning.path)} has ${warning.lines} lines: read and edit only the parts you need, never rewrite it whole.`,
    ),
    ...(ctx.notes ?? []),
  ]
    .flatMap((item) => item.split(/\r?\n/))
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (items.length === 0) return undefined;
  const capped = capList(items, limit(ctx.caps, 'maxPromptNotesLines'), 'note');
  const lines = capped.items.map((item) => `- ${truncateLongLines(item, lineLimit(ctx.caps))}`);
  if (capped.note !== undefined) lines.push(capped.note);
  return ['## Notes', ...lines].join('\n');
}

export function changedFilesList(ctx: PromptContext): string | undefined {
  const files = ctx.changedFiles ?? [];
  if (files.length === 0) return undefined;
  const capped = capList(files, limit(ctx.caps, 'maxPromptChangedFiles'), 'file');
  const lines = capped.items.map((file) => `- ${file}`);
  if (capped.note !== undefined) lines.push(`${capped.note} (see \`git status\`)`);
  return lines.join('\n');
}

/** Free text from the visual review, head kept (its summary comes first). */
export function visualFeedbackSection(ctx: PromptContext): string | undefined {
  const text = cleanOutput(ctx.visualFeedback ?? '');
  if (text === '') return undefined;
  const capped = capLines(truncateLongLines(text, lineLimit(ctx.caps)), limit(ctx.caps, 'maxVisualFeedbackLines'), {
    keep: 'head',
  });
  return ['## Visual review feedback', 'The last visual review of the product reported:', fenced(capped.text)].join(
    '\n',
  );
}

/**
 * The tester's findings, head kept (reviewers lead with the verdict reason). Verdict lines are
 * dropped so a prompt quoting the findings never reads as a verdict itself.
 */
export function findingsBlock(ctx: PromptContext): string | undefined {
  const text = cleanOutput(testerFindings(ctx.testerFindings ?? ''));
  if (text === '') return undefined;
  const capped = capLines(truncateLongLines(text, lineLimit(ctx.caps)), limit(ctx.caps, 'maxTesterFeedbackLines'), {
    keep: 'head',
  });
  return fenced(capped.text);
}

/** Guidance the operator sent for this task (`pi-harness steer`), verbatim, newest last. */
export function operatorGuidanceSection(ctx: PromptContext): string | undefined {
  const guidance = ctx.operatorGuidance?.filter((text) => text.trim() !== '') ?? [];
  if (guidance.length === 0) return undefined;
  return [
    '## Guidance from the operator',
    'The person running the harness sent this while you were not working. Follow it:',
    ...guidance.map((text) => fenced(text.trim())),
  ].join('\n');
}

/** Integrity findings as a list, capped like the tester's findings; undefined when there are none. */
export function integrityList(ctx: PromptContext, findings: readonly string[] | undefined): string | undefined {
  if (findings === undefined || findings.length === 0) return undefined;
  const capped = capList(findings, limit(ctx.caps, 'maxTesterFeedbackLines'), 'finding');
  const lines = capped.items.map((finding) => `- ${truncateLongLines(finding, lineLimit(ctx.caps))}`);
  if (capped.note !== undefined) lines.push(capped.note);
  return lines.join('\n');
}
