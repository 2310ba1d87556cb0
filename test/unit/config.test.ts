import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig, type LoadConfigOptions } from '../../src/config/load.js';
import { tempDir } from '../helpers/temp-dir.js';

async function repoWithConfig(config?: unknown | string): Promise<string> {
  const dir = await tempDir();
  if (config !== undefined) {
    const text = typeof config === 'string' ? config : JSON.stringify(config, null, 2);
    await writeFile(path.join(dir, 'pi.config.json'), text);
  }
  return dir;
}

async function load(dir: string, extra: Partial<LoadConfigOptions> = {}) {
  return loadConfig({ repoRoot: dir, cwd: dir, env: {}, ...extra });
}

async function loadError(dir: string, extra: Partial<LoadConfigOptions> = {}): Promise<ConfigError> {
  try {
    await load(dir, extra);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('applies every default when there is no file and no environment', async () => {
    const dir = await repoWithConfig();
    const { config, warnings } = await load(dir);
    expect(warnings).toEqual([]);
    expect(config.configFile).toBeNull();
    expect(config.taskFile).toBe(path.join(dir, 'TODOS.md'));
    expect(config.transport).toBe('rpc');
    expect(config.commitMode).toBe('agent');
    expect(config.promptMode).toBe('compact');
    expect(config.testCommand).toBe('');
    expect(config.verificationTimeoutSeconds).toBe(300);
    expect(config.maxIterations).toBe(200);
    expect(config.sleepBetweenSeconds).toBe(2);
    expect(config.continueAfterSeconds).toBe(300);
    expect(config.toolContinueAfterSeconds).toBe(900);
    expect(config.noEventTimeoutSeconds).toBe(900);
    expect(config.toolNoEventTimeoutSeconds).toBe(1800);
    expect(config.agentTimeoutSeconds).toBe(3600);
    expect(config.loopRepeatThreshold).toBe(12);
    expect(config.samePathRepeatThreshold).toBe(8);
    expect(config.sameFileLoopBudget).toBe(2);
    expect(config.loopHistoryLimit).toBe(25);
    expect(config.maxPromptChangedFiles).toBe(10);
    expect(config.maxVisualFeedbackLines).toBe(20);
    expect(config.maxTesterFeedbackLines).toBe(32);
    expect(config.maxPromptNotesLines).toBe(16);
    expect(config.maxVerificationExcerptLines).toBe(40);
    expect(config.maxFailureArtifactLines).toBe(80);
    expect(config.largeFileWarningLines).toBe(500);
    expect(config.largeSpecWarningLines).toBe(300);
    expect(config.visualReviewEnabled).toBe(false);
    expect(config.visualReviewEveryNSuccesses).toBe(5);
    expect(config.maxConsecutiveFailures).toBe(3);
    expect(config.maxTaskAttempts).toBe(3);
    expect(config.maxRunSeconds).toBe(0);
    expect(config.maxRunTokens).toBe(0);
    expect(config.maxTaskTokens).toBe(0);
    expect(config.maxRunCostUsd).toBe(0);
    expect(config.allowDirty).toBe(false);
    expect(config.integrity).toBe('enforce');
    expect(config.testGlobs).toBeUndefined();
    expect(config.protectedPaths).toEqual([]);
    expect(config.integrityAllow).toEqual([]);
    expect(config.guardrails).toBe('enforce');
    expect(config.guardrailsAllow).toEqual([]);
    expect(config.guardrailsDeny).toEqual([]);
    expect(config.protectIgnored).toBe(true);
    expect(config.commitHooks).toBe(true);
    expect(config.piTools).toEqual(['read', 'edit', 'write', 'find', 'ls', 'bash']);
    expect(config.piNoExtensions).toBe(false);
    expect(config.dashboardHost).toBe('127.0.0.1');
    expect(config.dashboardPort).toBe(4317);
    expect(config.dashboard).toBeUndefined();
    expect(config.models).toEqual({});
    expect(config.piModel).toBeUndefined();
  });

  it('puts every harness-written file under the runtime directory', async () => {
    const dir = await repoWithConfig();
    const { config } = await load(dir);
    const runtime = path.join(dir, '.pi-harness');
    expect(config.piRuntimeDir).toBe(runtime);
    for (const file of [
      config.logFile,
      config.stateFile,
      config.telemetryCsv,
      config.telemetryJsonl,
      config.lastPromptFile,
      config.activeRunFile,
      config.failureArtifactDir,
      config.tokenUsageSummaryFile,
      config.visualCaptureDir,
    ]) {
      expect(file.startsWith(runtime + path.sep)).toBe(true);
    }
  });

  it('returns a deeply frozen configuration', async () => {
    const dir = await repoWithConfig({ models: { 'local/m': { baseUrl: 'http://127.0.0.1:1/v1' } } });
    const { config } = await load(dir);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.models['local/m'])).toBe(true);
    expect(Object.isFrozen(config.piTools)).toBe(true);
  });
});

describe('discovery and precedence', () => {
  it('reads ./pi.config.json when present, without any variable', async () => {
    const dir = await repoWithConfig({ testCommand: 'npm test', maxIterations: 7 });
    const { config } = await load(dir);
    expect(config.configFile).toBe(path.join(dir, 'pi.config.json'));
    expect(config.testCommand).toBe('npm test');
    expect(config.maxIterations).toBe(7);
  });

  it('prefers PI_CONFIG_FILE over ./pi.config.json, and --config over both', async () => {
    const dir = await repoWithConfig({ maxIterations: 1 });
    await writeFile(path.join(dir, 'env.json'), JSON.stringify({ maxIterations: 2 }));
    await writeFile(path.join(dir, 'flag.json'), JSON.stringify({ maxIterations: 3 }));
    expect((await load(dir, { env: { PI_CONFIG_FILE: 'env.json' } })).config.maxIterations).toBe(2);
    expect(
      (await load(dir, { env: { PI_CONFIG_FILE: 'env.json' }, configFile: 'flag.json' })).config.maxIterations,
    ).toBe(3);
  });

  it('fails naming a config file that was asked for but does not exist', async () => {
    const dir = await repoWithConfig();
    const viaFlag = await loadError(dir, { configFile: 'missing.json' });
    expect(viaFlag.message).toContain('--config');
    expect(viaFlag.message).toContain(path.join(dir, 'missing.json'));
    const viaEnv = await loadError(dir, { env: { PI_CONFIG_FILE: 'gone.json' } });
    expect(viaEnv.message).toContain('PI_CONFIG_FILE');
    expect(viaEnv.message).toContain('gone.json');
  });

  it('lets the environment override the file and the file override the defaults', async () => {
    const dir = await repoWithConfig({ testCommand: 'make test', maxIterations: 9, commitMode: 'plan' });
    const { config } = await load(dir, {
      env: { PI_MAX_ITERS: '4', PI_TRANSPORT: 'mock', PI_ALLOW_DIRTY: 'yes', PI_SLEEP_BETWEEN: '0.5' },
    });
    expect(config.maxIterations).toBe(4);
    expect(config.transport).toBe('mock');
    expect(config.allowDirty).toBe(true);
    expect(config.sleepBetweenSeconds).toBe(0.5);
    expect(config.testCommand).toBe('make test');
    expect(config.commitMode).toBe('plan');
  });

  it('treats an empty PI_TEST_CMD as "no verification" but an empty PI_MODEL as unset', async () => {
    const dir = await repoWithConfig({ testCommand: 'npm test', piModel: 'local/qwen' });
    const { config } = await load(dir, { env: { PI_TEST_CMD: '', PI_MODEL: '' } });
    expect(config.testCommand).toBe('');
    expect(config.piModel).toBe('local/qwen');
  });

  it('accepts piTools as a comma list or an array', async () => {
    const fromString = await load(await repoWithConfig({ piTools: 'read, bash ,,edit' }));
    expect(fromString.config.piTools).toEqual(['read', 'bash', 'edit']);
    const fromArray = await load(await repoWithConfig({ piTools: ['read', 'write'] }));
    expect(fromArray.config.piTools).toEqual(['read', 'write']);
    const fromEnv = await load(await repoWithConfig(), { env: { PI_TOOLS: 'ls' } });
    expect(fromEnv.config.piTools).toEqual(['ls']);
  });

  it('resolves relative paths against the repo root, not the current directory', async () => {
    const root = await repoWithConfig();
    const sub = path.join(root, 'packages', 'app');
    await mkdir(sub, { recursive: true });
    await writeFile(
      path.join(sub, 'pi.config.json'),
      JSON.stringify({ taskFile: 'docs/TASKS.md', logFile: 'logs/h.log' }),
    );
    const { config } = await loadConfig({ repoRoot: root, cwd: sub, env: {} });
    expect(config.taskFile).toBe(path.join(root, 'docs', 'TASKS.md'));
    expect(config.logFile).toBe(path.join(root, 'logs', 'h.log'));
  });

  it('accepts a UTF-8 byte order mark and a $schema key', async () => {
    const dir = await repoWithConfig(`\uFEFF${JSON.stringify({ $schema: './schema.json', maxIterations: 5 })}`);
    const { config, warnings } = await load(dir);
    expect(config.maxIterations).toBe(5);
    expect(warnings).toEqual([]);
  });
});

describe('configuration errors name the source, the field and what was expected', () => {
  it('malformed JSON gives line and column', async () => {
    const dir = await repoWithConfig('{\n  "maxIterations": 3,\n  "testCommand": \n}\n');
    const error = await loadError(dir);
    expect(error.message).toContain(path.join(dir, 'pi.config.json'));
    expect(error.message).toMatch(/line 4, column 1/);
  });

  it('a trailing comma and a comment are malformed JSON too', async () => {
    expect((await loadError(await repoWithConfig('{"a": 1,}'))).message).toMatch(/malformed JSON at line 1, column 9/);
    expect((await loadError(await repoWithConfig('{\n // note\n "a": 1}'))).message).toMatch(
      /line 2, column 2: comments/,
    );
  });

  it('an empty file and a non-object top level are errors', async () => {
    expect((await loadError(await repoWithConfig(''))).message).toMatch(/empty/);
    expect((await loadError(await repoWithConfig('[1,2]'))).message).toMatch(/expected a JSON object/);
  });

  it('a wrong type names file and field', async () => {
    const dir = await repoWithConfig({ maxIterations: 'ten' });
    const error = await loadError(dir);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ source: path.join(dir, 'pi.config.json'), field: 'maxIterations' });
    expect(error.problems[0]!.expected).toMatch(/expected number/);
  });

  it('out-of-range numbers are errors', async () => {
    const error = await loadError(
      await repoWithConfig({ maxIterations: 0, noEventTimeoutSeconds: -1, dashboardPort: 70000 }),
    );
    const fields = error.problems.map((p) => p.field).sort();
    expect(fields).toEqual(['dashboardPort', 'maxIterations', 'noEventTimeoutSeconds']);
    expect(error.message).toMatch(/maxIterations: .*>=1/);
  });

  it('seconds beyond what a timer can wait (2^31-1 ms) are errors, in the file and in the environment', async () => {
    const error = await loadError(
      await repoWithConfig({ verificationTimeoutSeconds: 2147484, maxRunSeconds: 1e12, sleepBetweenSeconds: 3e6 }),
      { env: { PI_AGENT_TIMEOUT: '99999999' } },
    );
    expect(error.problems.map((p) => p.field).sort()).toEqual([
      'agentTimeoutSeconds',
      'maxRunSeconds',
      'sleepBetweenSeconds',
      'verificationTimeoutSeconds',
    ]);
    expect(error.message).toMatch(/verificationTimeoutSeconds: .*at most 2147483 seconds/);
    const { config } = await load(await repoWithConfig({ verificationTimeoutSeconds: 2147483 }));
    expect(config.verificationTimeoutSeconds).toBe(2147483);
  });

  it('fractional counts are errors', async () => {
    const error = await loadError(await repoWithConfig({ maxTaskAttempts: 1.5 }));
    expect(error.problems[0]!.field).toBe('maxTaskAttempts');
  });

  it('unknown transport, commitMode and promptMode values list what is allowed', async () => {
    const error = await loadError(await repoWithConfig({ transport: 'grpc', commitMode: 'auto', promptMode: 'tiny' }));
    expect(error.message).toMatch(/transport: .*"rpc"\|"mock".*got "grpc"/);
    expect(error.message).toMatch(/commitMode: .*"agent"\|"plan".*got "auto"/);
    expect(error.message).toMatch(/promptMode: .*"compact"\|"full"/);
  });

  it('integrity settings: the mode from the file or PI_INTEGRITY, bad integrityAllow entries named', async () => {
    const dir = await repoWithConfig({
      integrity: 'warn',
      testGlobs: ['checks/**/*.js'],
      protectedPaths: ['schema/**'],
      integrityAllow: ['ci-config-edited:.github/workflows/**', 'skip-marker-added'],
    });
    expect((await load(dir)).config).toMatchObject({
      integrity: 'warn',
      testGlobs: ['checks/**/*.js'],
      protectedPaths: ['schema/**'],
      integrityAllow: ['ci-config-edited:.github/workflows/**', 'skip-marker-added'],
    });
    expect((await load(dir, { env: { PI_INTEGRITY: 'off' } })).config.integrity).toBe('off');
    const error = await loadError(
      await repoWithConfig({ integrity: 'strict', integrityAllow: ['ok-rule', 'skip-marker-added:', 'no-tests-ran'] }),
    );
    expect(error.message).toMatch(/integrity: .*"enforce"\|"warn"\|"off".*got "strict"/);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'integrityAllow.0',
          expected: expect.stringMatching(/"ok-rule" is not an integrity rule.*test-file-deleted/),
        }),
        expect.objectContaining({
          field: 'integrityAllow.1',
          expected: expect.stringMatching(/the glob after "skip-marker-added:" is empty/),
        }),
      ]),
    );
    expect(error.problems.some((problem) => problem.field === 'integrityAllow.2')).toBe(false);
  });

  it('environment values that do not parse name the variable', async () => {
    const dir = await repoWithConfig();
    const error = await loadError(dir, {
      env: { PI_MAX_ITERS: '12abc', PI_ALLOW_DIRTY: 'maybe', PI_VERIFICATION_TIMEOUT: '0x10', PI_TRANSPORT: 'grpc' },
    });
    const sources = error.problems.map((p) => p.source).sort();
    expect(sources).toEqual([
      'environment variable PI_ALLOW_DIRTY',
      'environment variable PI_MAX_ITERS',
      'environment variable PI_TRANSPORT',
      'environment variable PI_VERIFICATION_TIMEOUT',
    ]);
    expect(error.message).toContain('got "12abc"');
  });

  it('an environment value out of range names the variable, not the file', async () => {
    const dir = await repoWithConfig({ maxIterations: 5 });
    const error = await loadError(dir, { env: { PI_MAX_ITERS: '0' } });
    expect(error.problems).toEqual([
      expect.objectContaining({ source: 'environment variable PI_MAX_ITERS', field: 'maxIterations' }),
    ]);
  });

  it('model names and endpoints are validated without ever printing a key', async () => {
    const error = await loadError(
      await repoWithConfig({
        piModel: 'qwen',
        roleModels: { tester: 'no-slash' },
        models: {
          bare: { baseUrl: 'http://127.0.0.1/v1' },
          'a/b': { baseUrl: 'http://h/v1', apiKey: 'sk-secret-value', apiKeyEnv: 'KEY' },
          'c/d': { baseUrl: 'ftp://h' },
          'e/f': { baseUrl: 'http://h/v1', apiKey: 42 },
        },
      }),
    );
    expect(error.message).toMatch(/piModel: expected a model name of the form "provider\/id"/);
    expect(error.message).toMatch(/roleModels\.tester: expected a model name/);
    expect(error.message).toMatch(/models\.bare: invalid key/);
    expect(error.message).toMatch(/models\.a\/b: set either apiKey or apiKeyEnv/);
    expect(error.message).toMatch(/models\.c\/d\.baseUrl: expected an http\(s\) URL/);
    expect(error.message).toMatch(/models\.e\/f\.apiKey: /);
    expect(error.message).not.toContain('sk-secret-value');
    expect(error.message).not.toContain('42');
  });

  it('loading a bad configuration writes nothing', async () => {
    const dir = await repoWithConfig({ transport: 'nope' });
    const before = await readdir(dir, { recursive: true });
    await loadError(dir);
    expect(await readdir(dir, { recursive: true })).toEqual(before);
  });
});

describe('guardrail settings', () => {
  it('read modes, lists, limits and commit hooks from the file and the environment', async () => {
    const dir = await repoWithConfig({
      guardrails: 'warn',
      guardrailsAllow: ['git push origin refs/for/*'],
      guardrailsDeny: ['npm publish'],
      protectIgnored: { maxFileBytes: 4096, skipDirs: ['node_modules'] },
    });
    const { config } = await load(dir, { env: { PI_COMMIT_HOOKS: 'false', PI_GUARDRAILS: 'off' } });
    expect(config.guardrails).toBe('off');
    expect(config.guardrailsAllow).toEqual(['git push origin refs/for/*']);
    expect(config.guardrailsDeny).toEqual(['npm publish']);
    expect(config.protectIgnored).toEqual({ maxFileBytes: 4096, skipDirs: ['node_modules'] });
    expect(config.commitHooks).toBe(false);
  });

  it('refuse an unknown mode, an empty pattern and a misspelled limit, naming the field', async () => {
    const error = await loadError(
      await repoWithConfig({ guardrails: 'strict', guardrailsDeny: ['  '], protectIgnored: { maxFileByte: 1 } }),
    );
    expect(error.message).toMatch(/guardrails: .*"enforce"\|"warn"\|"off".*got "strict"/);
    expect(error.message).toMatch(/guardrailsDeny\.0: expected a command pattern/);
    expect(error.message).toMatch(/protectIgnored/);
  });
});

describe('unknown keys', () => {
  it('warn with the closest known key, at every level, without failing', async () => {
    const dir = await repoWithConfig({
      maxIteration: 3,
      somethingElse: true,
      roleModels: { develper: 'a/b' },
      models: { 'a/b': { baseUrl: 'http://127.0.0.1:9/v1', vison: true } },
    });
    const { config, warnings } = await load(dir);
    expect(config.maxIterations).toBe(200);
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toContain(path.join(dir, 'pi.config.json'));
    expect(warnings.join('\n')).toMatch(/"maxIteration" is ignored \(did you mean "maxIterations"\?\)/);
    expect(warnings.join('\n')).toMatch(/"somethingElse" is ignored$/m);
    expect(warnings.join('\n')).toMatch(/"roleModels\.develper" .*"developer"/);
    expect(warnings.join('\n')).toMatch(/"models\.a\/b\.vison" .*"vision"/);
  });
});

describe('model endpoints', () => {
  it('apply endpoint defaults', async () => {
    const { config } = await load(
      await repoWithConfig({
        models: { 'local/qwen': { baseUrl: 'http://127.0.0.1:8080/v1', apiKeyEnv: 'LOCAL_KEY' } },
      }),
    );
    expect(config.models['local/qwen']).toEqual({
      baseUrl: 'http://127.0.0.1:8080/v1',
      api: 'openai-completions',
      apiKeyEnv: 'LOCAL_KEY',
      vision: false,
    });
  });
});

describe('the published JSON Schema', () => {
  it('is the one generated from the zod schema (run `npm run build` after changing the schema)', async () => {
    const { configJsonSchemaText } = await import('../../src/config/json-schema.js');
    const committed = await readFile(new URL('../../schema/pi.config.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(configJsonSchemaText());
  });

  it('documents every field, its default and its environment variable', async () => {
    const { configJsonSchema } = await import('../../src/config/json-schema.js');
    const { envBindings } = await import('../../src/config/env.js');
    const schema = configJsonSchema() as { properties: Record<string, Record<string, unknown>> };
    for (const [field, property] of Object.entries(schema.properties)) {
      expect(property.description, field).toBeTypeOf('string');
    }
    expect(schema.properties.maxIterations).toMatchObject({ default: 200, 'x-env': 'PI_MAX_ITERS', minimum: 1 });
    expect(schema.properties.transport!.enum).toEqual(['rpc', 'mock']);
    const bound = new Map(envBindings().map((b) => [b.field, b.variable]));
    for (const [field, variable] of [
      ['taskFile', 'PI_TASK_FILE'],
      ['testCommand', 'PI_TEST_CMD'],
      ['verificationTimeoutSeconds', 'PI_VERIFICATION_TIMEOUT'],
      ['sleepBetweenSeconds', 'PI_SLEEP_BETWEEN'],
      ['continueAfterSeconds', 'PI_CONTINUE_AFTER'],
      ['toolContinueAfterSeconds', 'PI_TOOL_CONTINUE_AFTER'],
      ['noEventTimeoutSeconds', 'PI_NO_EVENT_TIMEOUT'],
      ['toolNoEventTimeoutSeconds', 'PI_TOOL_NO_EVENT_TIMEOUT'],
      ['agentTimeoutSeconds', 'PI_AGENT_TIMEOUT'],
      ['visualReviewEveryNSuccesses', 'PI_VISUAL_REVIEW_EVERY'],
      ['visualCaptureCommand', 'PI_VISUAL_CAPTURE_CMD'],
      ['visualReviewModel', 'PI_VISUAL_REVIEW_MODEL'],
      ['developerInstructionsFile', 'PI_DEVELOPER_INSTRUCTIONS_FILE'],
      ['testerInstructionsFile', 'PI_TESTER_INSTRUCTIONS_FILE'],
      ['instructionsFile', 'PI_INSTRUCTIONS_FILE'],
      ['piCli', 'PI_CLI'],
      ['piThinking', 'PI_THINKING'],
      ['commitMode', 'PI_COMMIT_MODE'],
      ['promptMode', 'PI_PROMPT_MODE'],
      ['dashboard', 'PI_VISUALIZER'],
      ['dashboardHost', 'PI_VISUALIZER_HOST'],
      ['dashboardPort', 'PI_VISUALIZER_PORT'],
    ] as const) {
      expect(bound.get(field), field).toBe(variable);
    }
  });
});

describe('renamed fields', () => {
  it('the old visualizer names still set the dashboard fields, with a warning naming the new name', async () => {
    const dir = await repoWithConfig({ visualizer: false, visualizerHost: '0.0.0.0', visualizerPort: 5000 });
    const { config, warnings } = await loadConfig({ repoRoot: dir, cwd: dir, env: {} });
    expect(config.dashboard).toBe(false);
    expect(config.dashboardHost).toBe('0.0.0.0');
    expect(config.dashboardPort).toBe(5000);
    expect(warnings.join('\n')).toContain('"visualizerPort" is the old name of "dashboardPort"');
    expect(warnings.join('\n')).not.toContain('unknown key');
  });

  it('the new name wins when both are set', async () => {
    const dir = await repoWithConfig({ visualizerPort: 5000, dashboardPort: 6000 });
    expect((await loadConfig({ repoRoot: dir, cwd: dir, env: {} })).config.dashboardPort).toBe(6000);
  });
});

describe('the generated configuration reference', () => {
  it('docs/configuration.md is the one generated from the schema and lists every field', async () => {
    const { configurationMarkdown } = await import('../../src/config/config-docs.js');
    const committed = await readFile(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(configurationMarkdown());
    const { ConfigSchema } = await import('../../src/config/schema.js');
    for (const field of Object.keys(ConfigSchema.shape).filter((name) => name !== '$schema')) {
      expect(committed, field).toContain(`| \`${field}\` |`);
    }
    expect(committed).toMatch(/\| `maxIterations` \| integer \(≥ 1\) \| `200` \| `PI_MAX_ITERS` \|/);
  });
});
