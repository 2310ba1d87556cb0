/** A task or instruction file so long that it crowds every prompt is worth a word at start. */
import path from 'node:path';
import { countLines } from './large-files.js';
import type { LoopContext } from './loop-context.js';

export async function warnAboutLargeSpecs(ctx: LoopContext): Promise<void> {
  const { config } = ctx;
  const specs = [
    config.taskFile,
    config.developerInstructionsFile,
    config.testerInstructionsFile,
    config.instructionsFile,
  ].filter((file): file is string => typeof file === 'string');
  for (const file of new Set(specs)) {
    const lines = await countLines(file);
    if (lines !== undefined && lines > config.largeSpecWarningLines) {
      ctx.journal.append({
        type: 'warning',
        message:
          `${path.relative(config.repoRoot, file)} has ${lines} lines ` +
          `(largeSpecWarningLines ${config.largeSpecWarningLines}); long specs cost tokens in every prompt`,
      });
    }
  }
}
