/**
 * One check per distinct model the roles use (resolved through modelForRole, docs/configuration.md):
 * - a model declared in `models`: its endpoint answers GET /models, accepts the key, lists the id,
 *   and its apiKeyEnv variable is set (the value is never printed);
 * - any other model: pi itself resolves it, with the user's pi configuration;
 * - no model at all: pi's own default is used, which is worth a warning.
 */
import type { Role } from '../vocabulary/roles.js';
import { splitModelRef } from '../agent/pi-models.js';
import type { Config } from '../config/load.js';
import { modelForRole } from '../config/role-model.js';
import { modelsUrl, probeEndpoint } from './endpoint-probe.js';
import { userAgentDir } from './pi-model-probe.js';
import { defineCheck, type Check, type CheckContext, type CheckStatus } from './types.js';

const CORE_ROLES: readonly Role[] = ['developer', 'developerRetry', 'developerFix', 'tester', 'testerCommit'];
const NOT_NEEDED = 'not needed: transport is "mock"';

export function rolesInUse(config: Pick<Config, 'visualReviewEnabled'>): Role[] {
  return config.visualReviewEnabled ? [...CORE_ROLES, 'visualReview'] : [...CORE_ROLES];
}

/** The distinct models of the roles in use, each with the roles using it, in role order. */
export function modelGroups(config: Config): { model: string | undefined; roles: Role[] }[] {
  const groups = new Map<string | undefined, Role[]>();
  for (const role of rolesInUse(config)) {
    const model = modelForRole(config, role);
    groups.set(model, [...(groups.get(model) ?? []), role]);
  }
  return [...groups].map(([model, roles]) => ({ model, roles }));
}

interface Finding {
  status: CheckStatus;
  detail: string;
  fix?: string;
}

/** pi keeps one key per provider, so two models of one provider with different keys cannot both work. */
function keyConflict(config: Config, provider: string): Finding | undefined {
  const sources = new Set(
    Object.entries(config.models)
      .filter(([ref]) => splitModelRef(ref).provider === provider)
      .map(([, m]) => (m.apiKey !== undefined ? 'literal' : (m.apiKeyEnv ?? 'none'))),
  );
  if (sources.size <= 1) return undefined;
  return {
    status: 'fail',
    detail: `the models of provider "${provider}" declare different API keys, and pi keeps one key per provider`,
    fix: 'give them the same apiKeyEnv, or put them under different provider names',
  };
}

async function endpointFindings(ref: string, context: CheckContext): Promise<Finding[]> {
  const endpoint = context.config.models[ref]!;
  const { provider, modelId } = splitModelRef(ref);
  const field = `models.${ref}`;
  const url = modelsUrl(endpoint.baseUrl);
  const keyVar = endpoint.apiKeyEnv;
  const key = endpoint.apiKey ?? (keyVar ? context.env[keyVar]?.trim() || undefined : undefined);
  const findings: Finding[] = [];
  if (keyVar && key === undefined) {
    findings.push({
      status: 'fail',
      detail: `API key variable ${keyVar} is not set (${field}.apiKeyEnv)`,
      fix: `export ${keyVar}=<the key for ${endpoint.baseUrl}>`,
    });
  }
  const conflict = keyConflict(context.config, provider);
  if (conflict) findings.push(conflict);

  const outcome = await probeEndpoint(endpoint, key, context.timeouts.httpMs);
  const keyNote = keyVar ? `key from ${keyVar}` : endpoint.apiKey !== undefined ? 'literal apiKey' : 'no key';
  switch (outcome.kind) {
    case 'unreachable':
      findings.push({
        status: 'fail',
        detail: `${url} unreachable (${outcome.reason})`,
        fix: `start the server or fix ${field}.baseUrl`,
      });
      break;
    case 'rejected':
      if (key !== undefined) {
        findings.push({
          status: 'fail',
          detail: `${url} rejected the API key (HTTP ${outcome.status})`,
          fix: keyVar ? `check the key in ${keyVar}` : `check ${field}.apiKey`,
        });
      } else if (!keyVar) {
        findings.push({
          status: 'fail',
          detail: `${url} requires an API key (HTTP ${outcome.status})`,
          fix: `set ${field}.apiKeyEnv to the variable holding the key`,
        });
      }
      break;
    case 'http-error': {
      const openAi = endpoint.api.startsWith('openai');
      const fatal = outcome.status === 404 && openAi;
      const hint =
        openAi && !/\/v\d+\/?$/.test(endpoint.baseUrl) ? ' (OpenAI-compatible servers usually serve under /v1)' : '';
      findings.push({
        status: fatal ? 'fail' : 'warn',
        detail: `${url} answered HTTP ${outcome.status}; ${modelId} not confirmed`,
        fix: `check ${field}.baseUrl${hint}`,
      });
      break;
    }
    case 'not-a-list':
      findings.push({ status: 'warn', detail: `${url} answered, but not with a model list; ${modelId} not confirmed` });
      break;
    case 'listed':
      if (!outcome.ids.includes(modelId)) {
        const served = outcome.ids.slice(0, 5).join(', ') || 'nothing';
        findings.push({
          status: 'warn',
          detail: `${url} does not list ${modelId} (it serves: ${served}); some servers accept any id, most answer 404`,
          fix: `name the model "${provider}/<served id>" in models and in piModel/roleModels`,
        });
      } else if (findings.length === 0) {
        findings.push({ status: 'ok', detail: `${url} lists ${modelId} (${keyNote})` });
      }
      break;
  }
  return findings;
}

async function piFinding(ref: string, context: CheckContext): Promise<Finding> {
  const { provider, modelId } = splitModelRef(ref);
  const listing = await context.piModels.list();
  if (!listing.ok) return { status: 'warn', detail: `not checked: ${listing.problem}` };
  const where = `its configuration (${userAgentDir(context.env)}) or the environment`;
  if (listing.rows.some((row) => row.provider === provider && row.id === modelId)) {
    return {
      status: 'ok',
      detail: `resolved by pi from its configuration (${userAgentDir(context.env)}) and the environment`,
    };
  }
  const declare = `or declare it under "models" with baseUrl and apiKeyEnv`;
  switch (await context.piModels.auth(ref)) {
    case 'ready':
      return {
        status: 'warn',
        detail: `pi has credentials for ${provider} but does not list ${modelId}; it will try the id with the provider's defaults`,
        fix: `check the id with \`pi --list-models ${provider}/\`, ${declare}`,
      };
    case 'no-credentials':
      return {
        status: 'fail',
        detail: `pi has no credentials for provider ${provider} in ${where}`,
        fix: `set the provider's API key variable (listed by \`pi --help\`), log in once with \`pi\` then /login, ${declare}`,
      };
    case 'unknown-provider':
      return {
        status: 'fail',
        detail: `pi does not know provider ${provider}`,
        fix: `fix the name (\`pi --list-models\` shows what pi knows), ${declare}`,
      };
    default:
      return {
        status: 'fail',
        detail: `pi cannot resolve this model from ${where}`,
        fix: `check it with \`pi --list-models ${provider}/\`, ${declare}`,
      };
  }
}

async function defaultModelFinding(context: CheckContext): Promise<Finding> {
  const fix = 'set piModel (or roleModels) to a model, e.g. one declared under "models" with baseUrl and apiKeyEnv';
  const listing = await context.piModels.list();
  if (listing.ok && listing.rows.length === 0) {
    return {
      status: 'fail',
      detail: `no model configured, and pi has no model available (no credentials in its configuration (${userAgentDir(context.env)}) or the environment)`,
      fix,
    };
  }
  return { status: 'warn', detail: "no model configured: pi's own default model will be used", fix };
}

/** The worst status wins; details and fixes of every non-ok finding are kept, in order. */
function combine(findings: Finding[]): Finding {
  const rank: Record<CheckStatus, number> = { ok: 0, warn: 1, fail: 2 };
  const status = findings.reduce<CheckStatus>((worst, f) => (rank[f.status] > rank[worst] ? f.status : worst), 'ok');
  const shown = status === 'ok' ? findings : findings.filter((f) => f.status !== 'ok');
  const fixes = shown.map((f) => f.fix).filter((fix): fix is string => fix !== undefined);
  return {
    status,
    detail: shown.map((f) => f.detail).join('; '),
    ...(fixes.length > 0 ? { fix: fixes.join('; ') } : {}),
  };
}

function rolesLabel(roles: readonly Role[], all: readonly Role[]): string {
  return roles.length === all.length ? 'all roles' : roles.join(', ');
}

export function modelChecks(config: Config): Check[] {
  const all = rolesInUse(config);
  return modelGroups(config).map(({ model, roles }) =>
    defineCheck(`model:${model ?? 'default'}`, `model (${rolesLabel(roles, all)})`, async (context, report) => {
      const name = model ?? "pi's default";
      if (context.config.transport === 'mock') return report('ok', `${name}: ${NOT_NEEDED}`);
      const finding =
        model === undefined
          ? await defaultModelFinding(context)
          : model in context.config.models
            ? combine(await endpointFindings(model, context))
            : await piFinding(model, context);
      return report(finding.status, model === undefined ? finding.detail : `${model}: ${finding.detail}`, finding.fix);
    }),
  );
}
