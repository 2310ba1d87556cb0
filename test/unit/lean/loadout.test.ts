/**
 * The loadout a turn runs under: the tools each role may use and is offered, the harness's system
 * prompt, the command that carries them to pi's session, and the compact tool texts.
 */
import { describe, expect, it } from 'vitest';
import {
  fullSystemPrompt,
  LOADOUT_COMMAND,
  loadoutMessage,
  parseLoadout,
  refusal,
} from '../../../src/agent/lean/loadout.js';
import { compactPayloadTools, compactToolTexts, withParameterTexts } from '../../../src/agent/lean/tool-text.js';
import { HARNESS_SYSTEM_PROMPT, loadoutFor, orderTools, toolsForRole } from '../../../src/prompts/system.js';

const DEFAULT_TOOLS = ['read', 'edit', 'write', 'find', 'ls', 'bash'];

describe('role tools', () => {
  it('gives the developer roles every allowed tool but the searching ones bash covers, in a fixed order', () => {
    for (const role of ['developer', 'developerRetry', 'developerFix'] as const)
      expect(toolsForRole(role, DEFAULT_TOOLS)).toEqual(['read', 'bash', 'edit', 'write', 'ls']);
    // Without bash, find and grep are the only way to search.
    expect(toolsForRole('developer', ['read', 'edit', 'find', 'grep'])).toEqual(['read', 'edit', 'find', 'grep']);
    // A tool the harness does not know (an extension's) keeps its place after the known ones.
    expect(orderTools(['custom', 'bash', 'read'])).toEqual(['read', 'bash', 'custom']);
  });

  it('gives the tester reading and commands, never write or edit; the visual reviewer nothing', () => {
    for (const role of ['tester', 'testerCommit'] as const)
      expect(toolsForRole(role, DEFAULT_TOOLS)).toEqual(['read', 'bash']);
    expect(toolsForRole('tester', ['read', 'write', 'ls', 'find'])).toEqual(['read', 'ls', 'find']);
    expect(toolsForRole('visualReview', DEFAULT_TOOLS)).toEqual([]);
  });

  it('offers every coding role the same tool list under the same system prompt', () => {
    const config = { piTools: DEFAULT_TOOLS, systemPrompt: 'harness' as const };
    const developer = loadoutFor('developer', config);
    const tester = loadoutFor('tester', config);
    expect(tester.offeredTools).toEqual(developer.offeredTools);
    expect(tester.systemPrompt).toBe(developer.systemPrompt);
    expect(developer.systemPrompt).toBe(HARNESS_SYSTEM_PROMPT);
    expect(tester.tools).toEqual(['read', 'bash']);
    expect(loadoutFor('visualReview', config)).toMatchObject({ tools: [], offeredTools: [] });
    expect(loadoutFor('tester', { ...config, systemPrompt: 'pi' }).systemPrompt).toBeUndefined();
  });

  it('has a system prompt about unattended work and nothing about pi or interactive use', () => {
    expect(HARNESS_SYSTEM_PROMPT).toMatch(/unattended/);
    expect(HARNESS_SYSTEM_PROMPT).not.toMatch(/\bpi\b|documentation|user asks/i);
    expect(Buffer.byteLength(HARNESS_SYSTEM_PROMPT)).toBeLessThan(600);
  });
});

describe('loadout command', () => {
  it('round-trips through the prompt message pi hands to the extension command', () => {
    const loadout = { tools: ['read', 'bash', 'edit'], allowed: ['read', 'bash'], systemPrompt: 'Be brief.\nReally.' };
    const message = loadoutMessage(loadout);
    expect(message.startsWith(`/${LOADOUT_COMMAND} `)).toBe(true);
    expect(parseLoadout(message.slice(LOADOUT_COMMAND.length + 2))).toEqual(loadout);
    expect(parseLoadout('{"tools":"read"}')).toBeUndefined();
    expect(parseLoadout('not json')).toBeUndefined();
    expect(parseLoadout('{"tools":[],"systemPrompt":3}')).toBeUndefined();
  });

  it('refuses a call to an offered tool outside the turn’s own set, and names its tools', () => {
    const loadout = { tools: ['read', 'bash', 'edit', 'write'], allowed: ['read', 'bash'] };
    expect(refusal(loadout, 'read')).toBeUndefined();
    expect(refusal(loadout, 'write')).toBe('This turn may not use write (its tools: read, bash); carry on without it.');
    expect(refusal({ tools: ['read'] }, 'write')).toBeUndefined();
    expect(refusal(undefined, 'write')).toBeUndefined();
  });

  it("follows the harness's prompt with the user's addendum and the project's context files", () => {
    const prompt = fullSystemPrompt('Base.\n', {
      appendSystemPrompt: '  Always British spelling. ',
      contextFiles: [{ path: '/repo/AGENTS.md', content: 'Run make lint.\n' }],
    });
    expect(prompt).toBe(
      'Base.\n\nAlways British spelling.\n\nProject instructions from /repo/AGENTS.md:\n\nRun make lint.\n',
    );
    expect(fullSystemPrompt('Base.', {})).toBe('Base.\n');
  });
});

describe('compact tool texts', () => {
  it('replaces descriptions only, keeping types, required lists, nested items and symbol markers', () => {
    const marker = Symbol('kind');
    const schema = {
      [marker]: 'Object',
      type: 'object',
      required: ['path', 'edits'],
      properties: {
        path: { type: 'string', description: 'Path to the file to edit (relative or absolute)' },
        edits: {
          type: 'array',
          description: 'long',
          items: {
            type: 'object',
            properties: { oldText: { type: 'string', description: 'long' }, newText: { type: 'string' } },
          },
        },
      },
    };
    const texts = compactToolTexts({ maxLines: 2000, maxKb: 50 }).edit!;
    const out = withParameterTexts(schema, texts.parameters);
    expect(out[marker]).toBe('Object');
    expect(out.required).toEqual(['path', 'edits']);
    expect(out.properties.path).toEqual({ type: 'string', description: 'File path' });
    expect(out.properties.edits.description).toBe('The replacements; they must not overlap');
    expect(out.properties.edits.items.properties.oldText.description).toMatch(/exactly as in the file/);
    expect(out.properties.edits.items.properties.newText).toEqual({ type: 'string', description: 'Replacement text' });
    // The input is left as it was: pi's own definitions are not changed in place.
    expect(schema.properties.path.description).toBe('Path to the file to edit (relative or absolute)');
  });

  it('states the output limits it is given', () => {
    const texts = compactToolTexts({ maxLines: 123, maxKb: 45 });
    expect(texts.read!.description).toContain('123 lines or 45 KB');
    expect(texts.bash!.description).toContain('123 lines or 45 KB');
  });

  const piRead = {
    name: 'read',
    description: 'Read the contents of a file. Output is truncated to 1500 lines or 40KB (whichever is hit first).',
    parameters: {
      type: 'object',
      required: ['path'],
      properties: {
        path: { type: 'string', description: 'long' },
        offset: { type: 'number' },
        limit: { type: 'number' },
      },
    },
  };

  it("rewrites pi's tools in an OpenAI chat request, with the limits pi's own text states", () => {
    const payload = {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ type: 'function', function: piRead }],
    };
    const out = compactPayloadTools(payload) as typeof payload;
    expect(out.tools[0]!.function.description).toMatch(/^Read a file .* Output stops at 1500 lines or 40 KB/);
    expect(out.tools[0]!.function.parameters.properties.path.description).toBe('File path');
    expect(out.messages).toBe(payload.messages);
    // The request pi built is left as it was.
    expect(payload.tools[0]!.function.description).toMatch(/^Read the contents/);
  });

  it('rewrites Anthropic and Bedrock tool entries too, and leaves unknown tools and other shapes alone', () => {
    const anthropic = compactPayloadTools({
      tools: [{ name: 'read', description: 'x', input_schema: piRead.parameters }],
    }) as {
      tools: { description: string; input_schema: { properties: { path: { description: string } } } }[];
    };
    expect(anthropic.tools[0]!.description).toMatch(/^Read a file/);
    expect(anthropic.tools[0]!.input_schema.properties.path.description).toBe('File path');
    const bedrock = compactPayloadTools({
      toolConfig: {
        tools: [{ toolSpec: { name: 'read', description: 'x', inputSchema: { json: piRead.parameters } } }],
      },
    }) as { toolConfig: { tools: { toolSpec: { description: string } }[] } };
    expect(bedrock.toolConfig.tools[0]!.toolSpec.description).toMatch(/^Read a file/);
    const custom = {
      tools: [{ type: 'function', function: { name: 'deploy', description: 'Deploys.', parameters: {} } }],
    };
    expect(compactPayloadTools(custom)).toEqual(custom);
    // Another extension's "read" with other parameters keeps its own text.
    const audited = {
      tools: [
        {
          type: 'function',
          function: { ...piRead, parameters: { type: 'object', properties: { file: { type: 'string' } } } },
        },
      ],
    };
    expect(compactPayloadTools(audited)).toEqual(audited);
    expect(compactPayloadTools('not an object')).toBe('not an object');
  });
});
