/**
 * The files the agents read: the task file (does it parse, is there anything to do) and the role
 * instructions (a configured file must exist; otherwise the bundled template is used).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveInstructionsFile, type InstructionRole } from '../prompts/templates.js';
import { TaskFileError, countTasks, currentTask, loadTaskFile } from '../tasks/index.js';
import { defineCheck, type Check } from './types.js';

function shown(repoRoot: string, file: string): string {
  const relative = path.relative(repoRoot, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

export const taskFileCheck = defineCheck('task-file', 'task file', async ({ config }, report) => {
  const name = shown(config.repoRoot, config.taskFile);
  let loaded;
  try {
    loaded = await loadTaskFile(config.taskFile);
  } catch (error) {
    if (error instanceof TaskFileError && error.code === 'not-found') {
      return report(
        'fail',
        `${name} not found (taskFile)`,
        'create it with tasks such as `- [ ] add a --verbose flag`, or run `pi-harness init`',
      );
    }
    return report(
      'fail',
      error instanceof Error ? error.message : String(error),
      `fix ${name}, or point taskFile at your task file`,
    );
  }
  const counts = countTasks(loaded.file);
  const warnings = loaded.file.warnings.map((w) => `line ${w.line}: ${w.message}`);
  const notes =
    warnings.length > 0
      ? `; ${warnings.length} warning${warnings.length === 1 ? '' : 's'}: ${warnings.slice(0, 2).join('; ')}`
      : '';
  if (counts.total === 0) {
    return report(
      'warn',
      `${name} has no tasks — nothing to do${notes}`,
      'add a task line such as `- [ ] add a --verbose flag`',
    );
  }
  if (counts.open === 0) {
    return report(
      'warn',
      `${name}: all ${counts.done} tasks are done — nothing to do${notes}`,
      'add an open task (`- [ ] ...`)',
    );
  }
  const next = currentTask(loaded.file)!.text;
  const shortNext = next.length > 80 ? `${next.slice(0, 77)}...` : next;
  const summary = `${name}: ${counts.open} open, ${counts.done} done; next: ${shortNext}${notes}`;
  return warnings.length > 0
    ? report('warn', summary, 'fix the lines named (a task is a line such as `- [ ] do something`)')
    : report('ok', summary);
});

function instructionsCheck(role: InstructionRole, title: string): Check {
  return defineCheck(`instructions:${role}`, title, async ({ config }, report) => {
    const { path: file, source } = resolveInstructionsFile(config, role);
    if (source === 'bundled') return report('ok', 'bundled template');
    const name = shown(config.repoRoot, file);
    const info = await stat(file).catch(() => undefined);
    if (info === undefined) {
      return report(
        'fail',
        `${name} not found (${source})`,
        `create it (copy the bundled template with \`pi-harness init\`), or remove ${source} to use the bundled template`,
      );
    }
    if (!info.isFile())
      return report('fail', `${name} is not a regular file (${source})`, `point ${source} at a Markdown file`);
    return report('ok', `${name} (${source})`);
  });
}

export const developerInstructionsCheck = instructionsCheck('developer', 'developer instructions');
export const testerInstructionsCheck = instructionsCheck('tester', 'tester instructions');
