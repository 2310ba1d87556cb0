import { describe, expect, it } from 'vitest';
import { parseTasks, tickTask, type Task } from '../../../src/tasks/index.js';
import { differingBytes, utf8 } from './bytes.js';
import { generateTaskFile } from './generate.js';

function withoutDetails(task: Task): Omit<Task, 'details'> {
  const { details: _details, ...rest } = task;
  return rest;
}

function ancestorLines(tasks: readonly Task[], task: Task): Set<number> {
  const lines = new Set<number>();
  for (let parent = task.parentLine; parent !== undefined; parent = tasks.find((t) => t.line === parent)?.parentLine) {
    lines.add(parent);
  }
  return lines;
}

const SEEDS = Array.from({ length: 150 }, (_, index) => index + 1);

describe('generated task files (property tests)', () => {
  it('parse to exactly the tasks the generator put in', () => {
    let tasksSeen = 0;
    for (const seed of SEEDS) {
      const { text, expected } = generateTaskFile(seed);
      const actual = parseTasks(text).tasks.map(({ line, text: taskText, done, phase, parentLine }) => ({
        line,
        text: taskText,
        done,
        phase,
        parentLine,
      }));
      expect(actual, `seed ${seed}:\n${text}`).toEqual(expected);
      tasksSeen += actual.length;
    }
    expect(tasksSeen).toBeGreaterThan(300); // the generator really exercises many tasks
  });

  it('change exactly one byte, the checkbox, when any task is ticked or unticked', () => {
    for (const seed of SEEDS) {
      const { text } = generateTaskFile(seed);
      const before = parseTasks(text);
      const beforeBytes = utf8(text);
      for (const task of before.tasks) {
        const context = `seed ${seed}, line ${task.line}`;
        const flipped = tickTask(text, task, !task.done);
        const offsets = differingBytes(beforeBytes, utf8(flipped));
        expect(offsets, context).toHaveLength(1);
        const changed = String.fromCharCode(utf8(flipped)[offsets[0] ?? -1] ?? 0);
        expect(changed, context).toBe(task.done ? ' ' : 'x');

        // Only that task's state changed: ids, lines, phases and all other states are the same, and
        // only its ancestors' details (which quote its checkbox line) changed.
        const after = parseTasks(flipped);
        const ancestors = ancestorLines(before.tasks, task);
        expect(after.tasks.map(withoutDetails), context).toEqual(
          before.tasks
            .map((other) => (other.line === task.line ? { ...other, done: !other.done } : other))
            .map(withoutDetails),
        );
        after.tasks.forEach((other, index) => {
          const unchanged = before.tasks[index]?.details;
          if (ancestors.has(other.line)) expect(other.details, context).not.toEqual(unchanged);
          else expect(other.details, context).toEqual(unchanged);
        });

        // Flipping back restores the original, except that an [X] comes back as [x].
        const restored = tickTask(flipped, task.line, task.done);
        const expectedRestored = differingBytes(beforeBytes, utf8(restored)).length;
        expect(expectedRestored, context).toBe(text === restored ? 0 : 1);
        expect(tickTask(text, task.line, task.done), context).toBe(text);
      }
    }
  });
});
