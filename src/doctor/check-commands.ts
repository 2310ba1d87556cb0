/**
 * The commands the harness runs through the user's shell: `testCommand` and, with visual review,
 * `visualCaptureCommand`. Doctor does not run them (a test suite can take minutes); it checks that
 * the program they start exists, so a typo does not surface as a failed iteration at 3 a.m.
 */
import { modelForRole } from '../config/role-model.js';
import { commandProgram, findExecutable } from './executable.js';
import { checkNpmScript, npmScriptOf } from './npm-script.js';
import { defineCheck, type CheckContext, type CheckStatus } from './types.js';

interface Finding {
  status: CheckStatus;
  detail: string;
  fix?: string;
}

async function findProgram(command: string, field: string, context: CheckContext): Promise<Finding> {
  const shown = `\`${command}\``;
  const parsed = commandProgram(command);
  if (parsed === undefined) return { status: 'fail', detail: `${field} has no command in it`, fix: `set ${field}` };
  if (parsed.builtin) return { status: 'ok', detail: `${shown} (runs through your shell; not run by doctor)` };
  const file = await findExecutable(parsed.program, { env: context.env, cwd: context.config.repoRoot });
  if (file === undefined) {
    const where = parsed.program.includes('/') ? 'is not an executable file' : 'is not on PATH';
    return {
      status: 'fail',
      detail: `${shown}: ${parsed.program} ${where}`,
      fix: `install ${parsed.program}, or fix ${field}`,
    };
  }
  const npm = npmScriptOf(command);
  if (npm !== undefined) {
    const problem = await checkNpmScript(context.config.repoRoot, npm.script);
    if (problem?.kind === 'no-package-json') {
      return { status: 'fail', detail: `${shown}: there is no package.json at the repo root`, fix: `fix ${field}` };
    }
    if (problem?.kind === 'missing') {
      return {
        status: 'fail',
        detail: `${shown}: package.json has no "${npm.script}" script`,
        fix: `add the script, or fix ${field}`,
      };
    }
    if (problem?.kind === 'placeholder') {
      return {
        status: 'fail',
        detail: `${shown}: the "test" script is npm's placeholder ("no test specified"), which always fails`,
        fix: 'put your real test command in package.json, or set testCommand to "" to skip verification',
      };
    }
  }
  return { status: 'ok', detail: `${shown} (${parsed.program} is ${file}; not run by doctor)` };
}

export const testCommandCheck = defineCheck('test-command', 'test command', async (context, report) => {
  const command = context.config.testCommand.trim();
  if (command === '') {
    return report(
      'warn',
      'testCommand is empty: verification is skipped and each change is judged by the tester alone',
      'set testCommand to your fast test command, e.g. "npm test" or "pytest -q"',
    );
  }
  const finding = await findProgram(command, 'testCommand', context);
  return report(finding.status, finding.detail, finding.fix);
});

export const visualCaptureCheck = defineCheck('visual-capture', 'visual capture', async (context, report) => {
  const { config } = context;
  const command = config.visualCaptureCommand?.trim() ?? '';
  if (command === '') {
    return report(
      'fail',
      'visualReviewEnabled is set but visualCaptureCommand is empty: nothing would take the screenshots',
      'set visualCaptureCommand to a command that writes screenshots and manifest.json, or turn visualReviewEnabled off',
    );
  }
  const finding = await findProgram(command, 'visualCaptureCommand', context);
  // A declared model without `vision` is sent to pi as text-only; the images would be dropped.
  const model = modelForRole(config, 'visualReview');
  const endpoint = model === undefined ? undefined : config.models[model];
  if (finding.status === 'ok' && endpoint !== undefined && !endpoint.vision) {
    return report(
      'warn',
      `${finding.detail}; the visualReview model ${model} is not marked "vision": true`,
      `set models.${model}.vision to true if it accepts images, or give roleModels.visualReview a vision model`,
    );
  }
  return report(finding.status, finding.detail, finding.fix);
});
