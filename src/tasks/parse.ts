/**
 * Reads the tasks out of a task file. This is a line scanner for the subset of Markdown that
 * matters here (list items with checkboxes, headings, code fences, HTML comments, indentation),
 * not a full CommonMark parser; docs/task-file.md states the rules it follows.
 */
import { BOM, dedent, detectEolStyle, indentWidth, isBlank, splitLines, type SourceLine } from './lines.js';
import {
  closesFence,
  closesHtmlComment,
  isSetextUnderline,
  matchAtxHeading,
  matchFenceOpening,
  matchTaskLine,
  opensHtmlComment,
  startsOtherBlock,
  type FenceOpening,
  type TaskLineMatch,
} from './syntax.js';
import { makeTaskId, normalizeTaskText } from './task-id.js';
import type { Task, TaskFile, TaskFileWarning, TaskFileWarningKind } from './types.js';

export function parseTasks(text: string): TaskFile {
  return parseSourceLines(text, splitLines(text));
}

/** For callers that already split the text (tickTask needs the line offsets too). */
export function parseSourceLines(text: string, lines: readonly SourceLine[]): TaskFile {
  const scanner = new TaskScanner();
  for (const line of lines) scanner.feed(line);
  const { tasks, warnings } = scanner.finish();
  return {
    tasks,
    eol: detectEolStyle(lines),
    hasBom: text.startsWith(BOM),
    lineCount: lines.length,
    endsWithNewline: lines.length > 0 && lines[lines.length - 1]?.eol !== '',
    warnings,
  };
}

/** A task whose block is still open: following lines indented deeper than `indent` belong to it. */
interface OpenBlock {
  readonly task: Task;
  readonly indent: number;
  readonly lines: string[];
}

/** Lines whose content is opaque (code, comments): no tasks or headings are recognized inside. */
type Region =
  | { readonly kind: 'fence'; readonly fence: FenceOpening; readonly line: number; readonly inBlock: boolean }
  | { readonly kind: 'comment'; readonly line: number; readonly inBlock: boolean };

/** Code blocks indented this far (outside any list) are indented code, not paragraph text. */
const INDENTED_CODE_COLUMNS = 4;

class TaskScanner {
  private readonly tasks: Task[] = [];
  private readonly warnings: TaskFileWarning[] = [];
  /** How many tasks so far had each normalized text; feeds the occurrence part of the id. */
  private readonly occurrences = new Map<string, number>();
  /** Innermost task last. */
  private readonly open: OpenBlock[] = [];
  private region: Region | undefined;
  /** Blank lines are held back until we know whether the block they sit in continues. */
  private pendingBlankLines = 0;
  private phase: string | null = null;
  /** Top-level paragraph lines just seen; a setext underline turns them into a heading. */
  private paragraph: string[] = [];

  feed(line: SourceLine): void {
    const { content } = line;
    if (this.region !== undefined) {
      this.feedRegion(this.region, content);
      return;
    }
    if (isBlank(content)) {
      this.pendingBlankLines += 1;
      this.paragraph = [];
      return;
    }
    this.closeBlocksEndedBy(indentWidth(content));
    this.flushBlankLines();
    const inBlock = this.open.length > 0;

    const fence = matchFenceOpening(content);
    if (fence !== undefined) {
      this.region = { kind: 'fence', fence, line: line.number, inBlock };
      this.addDetail(content);
      this.paragraph = [];
      return;
    }
    if (opensHtmlComment(content)) {
      if (!closesHtmlComment(content)) this.region = { kind: 'comment', line: line.number, inBlock };
      this.addDetail(content);
      this.paragraph = [];
      return;
    }

    const taskLine = matchTaskLine(content);
    if (taskLine !== undefined && taskLine.text !== '') {
      this.startTask(line, taskLine);
      return;
    }
    if (taskLine !== undefined) {
      this.warn('empty-checkbox', line.number, `line ${line.number}: a checkbox without text is not a task; ignored`);
    }

    if (inBlock) this.addDetail(content);
    else this.feedTopLevel(content);
  }

  finish(): { tasks: Task[]; warnings: TaskFileWarning[] } {
    const region = this.region;
    if (region?.kind === 'fence') {
      this.warn(
        'unclosed-fence',
        region.line,
        `line ${region.line}: code fence is never closed, so nothing after it is read as tasks or headings`,
      );
    } else if (region?.kind === 'comment') {
      this.warn(
        'unclosed-comment',
        region.line,
        `line ${region.line}: HTML comment "<!--" is never closed with "-->", so nothing after it is read as tasks or headings`,
      );
    }
    this.closeBlocksEndedBy(-1);
    return { tasks: this.tasks, warnings: this.warnings };
  }

  private feedRegion(region: Region, content: string): void {
    // A fence or comment opened inside a task's block belongs to it up to its end, whatever the
    // indentation of its lines: code pasted at column 0 inside an indented fence is common.
    if (region.inBlock) this.addDetail(content);
    const closed = region.kind === 'fence' ? closesFence(content, region.fence) : closesHtmlComment(content);
    if (closed) this.region = undefined;
  }

  private startTask(line: SourceLine, match: TaskLineMatch): void {
    const key = normalizeTaskText(match.text);
    const occurrence = (this.occurrences.get(key) ?? 0) + 1;
    this.occurrences.set(key, occurrence);
    const parent = this.open[this.open.length - 1];
    const indent = indentWidth(line.content);
    const task: Task = {
      id: makeTaskId(match.text, occurrence),
      line: line.number,
      text: match.text,
      phase: this.phase,
      done: match.done,
      details: [],
      indent,
      ...(parent === undefined ? {} : { parentLine: parent.task.line }),
    };
    // Ancestors list the sub-task among their details, so an agent working on the parent sees it.
    this.addDetail(line.content);
    this.tasks.push(task);
    this.open.push({ task, indent, lines: [] });
    this.paragraph = [];
  }

  private feedTopLevel(content: string): void {
    const heading = matchAtxHeading(content);
    if (heading !== undefined) {
      this.phase = heading === '' ? null : heading;
      this.paragraph = [];
      return;
    }
    if (this.paragraph.length > 0 && isSetextUnderline(content)) {
      this.phase = this.paragraph.join(' ');
      this.paragraph = [];
      return;
    }
    const startsIndentedCode = this.paragraph.length === 0 && indentWidth(content) >= INDENTED_CODE_COLUMNS;
    if (startsOtherBlock(content) || startsIndentedCode) {
      this.paragraph = [];
      return;
    }
    this.paragraph.push(content.trim());
  }

  /** A non-blank line at or left of a task's own indentation ends that task's block. */
  private closeBlocksEndedBy(lineIndent: number): void {
    for (let top = this.open.at(-1); top !== undefined && lineIndent <= top.indent; top = this.open.at(-1)) {
      this.open.pop();
      top.task.details.push(...dedent(withoutOuterBlankLines(top.lines)));
    }
  }

  private flushBlankLines(): void {
    for (let i = 0; i < this.pendingBlankLines; i++) this.addDetail('');
    this.pendingBlankLines = 0;
  }

  private addDetail(content: string): void {
    for (const block of this.open) block.lines.push(content);
  }

  private warn(kind: TaskFileWarningKind, line: number, message: string): void {
    this.warnings.push({ kind, line, message });
  }
}

/** Blank lines at either end of a block are spacing around it, not part of the task. */
function withoutOuterBlankLines(lines: readonly string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start] ?? '')) start += 1;
  while (end > start && isBlank(lines[end - 1] ?? '')) end -= 1;
  return lines.slice(start, end);
}
