/**
 * A consuming repo with a capture script and a scripted model that plays the agent roles AND the
 * vision reviewer: a request whose prompt is a visual review prompt gets the next planned review
 * answer, every other request goes to the role script.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { VISUAL_REVIEW_HEADING } from '../../src/prompts/visual-review.js';
import {
  chatMessages,
  contentText,
  roleScript,
  startScriptedModel,
  type RecordedRequest,
  type RolePlans,
  type ScriptedModelServer,
} from '../../src/scripted-model/index.js';
import type { CliRun } from '../helpers/cli.js';
import { GIT_TEST_ENV, gitSync, makeRepo } from '../helpers/git-repo.js';
import { journalsOf } from '../helpers/harness-home.js';
import { CAPTURE_SCRIPT } from '../helpers/png.js';
import { tempDir } from '../helpers/temp-dir.js';

export const NODE = JSON.stringify(process.execPath);

export interface VisualRepo {
  repo: string;
  server: ScriptedModelServer;
  /** Where the capture script logs the PI_VISUAL_* environment of each capture (JSON lines). */
  captureLog: string;
  run(argv: string[], options?: { env?: NodeJS.ProcessEnv; stdin?: string }): Promise<CliRun>;
  /** The chat requests that carried a visual review prompt. */
  reviewRequests(): RecordedRequest[];
  /** Prompts of the agent turns (not reviews), in order. */
  agentPrompts(): string[];
  captures(): Promise<{ cwd: string; env: Record<string, string> }[]>;
  runtimeFiles(dir: string): Promise<string[]>;
  journal(): Promise<{ type: string; [key: string]: unknown }[]>;
  log(): string[];
  close(): Promise<void>;
}

function lastUserContent(request: RecordedRequest): unknown {
  const users = chatMessages(request).filter((message) => message.role === 'user');
  return users.at(-1)?.content;
}

export function isReviewRequest(request: RecordedRequest): boolean {
  return contentText(lastUserContent(request)).startsWith(`${VISUAL_REVIEW_HEADING}\n`);
}

/** The image parts (OpenAI `image_url`) of the request's last user message. */
export function imageParts(request: RecordedRequest): { type: string; image_url: { url: string } }[] {
  const content = lastUserContent(request);
  if (!Array.isArray(content)) return [];
  return content.filter(
    (part): part is { type: string; image_url: { url: string } } =>
      typeof part === 'object' && part !== null && (part as { type?: unknown }).type === 'image_url',
  );
}

export const reviewAnswer = (verdict: string, summary: string, findings: string[] = []) =>
  JSON.stringify({ verdict, summary, findings });

export async function visualRepo(options: {
  files: Record<string, string>;
  config: Record<string, unknown>;
  plans?: RolePlans;
  reviews?: string[];
}): Promise<VisualRepo> {
  const roles = roleScript(options.plans ?? {});
  const reviews = options.reviews ?? [];
  let reviewed = 0;
  const server = await startScriptedModel({
    apiKey: 'visual-key',
    script: (request) => {
      if (!isReviewRequest(request)) return roles(request);
      const text = reviews[Math.min(reviewed++, reviews.length - 1)] ?? 'no plan for this review';
      return { kind: 'text', text };
    },
  });
  const model = `scripted/${server.modelId}`;
  const config = {
    piModel: model,
    models: {
      [model]: {
        baseUrl: server.baseUrl,
        apiKeyEnv: 'SCRIPTED_KEY',
        vision: true,
        contextWindow: 128000,
        maxTokens: 4096,
      },
    },
    testCommand: '',
    sleepBetweenSeconds: 0,
    noEventTimeoutSeconds: 20,
    agentTimeoutSeconds: 60,
    visualReviewTimeoutSeconds: 60,
    piNoExtensions: true,
    piNoSkills: true,
    piNoPromptTemplates: true,
    ...options.config,
  };
  const repo = await makeRepo({
    'capture.mjs': CAPTURE_SCRIPT,
    'pi.config.json': JSON.stringify(config, null, 2),
    ...options.files,
  });
  const captureLog = path.join(await tempDir('pi-harness-capture-log-'), 'captures.jsonl');
  const runtime = path.join(repo, '.pi-harness');
  return {
    repo,
    server,
    captureLog,
    async run(argv, runOptions = {}) {
      let stdout = '';
      let stderr = '';
      const env = {
        ...process.env,
        ...GIT_TEST_ENV,
        SCRIPTED_KEY: 'visual-key',
        PI_CODING_AGENT_DIR: `${repo}/.no-user-pi`,
        CAPTURE_LOG: captureLog,
        ...runOptions.env,
      };
      const code = await runCli(argv, {
        cwd: repo,
        env,
        stdout: (text) => {
          stdout += text;
        },
        stderr: (text) => {
          stderr += text;
        },
        ...(runOptions.stdin !== undefined ? { stdin: async () => runOptions.stdin! } : {}),
      });
      return { code, stdout, stderr };
    },
    reviewRequests: () => server.completionRequests().filter(isReviewRequest),
    agentPrompts: () =>
      server
        .completionRequests()
        .filter((request) => !isReviewRequest(request))
        .map((request) => contentText(lastUserContent(request))),
    async captures() {
      const text = await readFile(captureLog, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { cwd: string; env: Record<string, string> });
    },
    runtimeFiles: async (dir) => (await readdir(path.join(runtime, dir)).catch(() => [])).sort(),
    async journal() {
      const events = [];
      for (const journal of await journalsOf(repo)) {
        const text = await readFile(journal, 'utf8').catch(() => '');
        events.push(
          ...text
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as { type: string }),
        );
      }
      return events;
    },
    log: () => gitSync(repo, 'log', '--format=%s').trim().split('\n'),
    close: () => server.close(),
  };
}
