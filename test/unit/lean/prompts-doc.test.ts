/** docs/prompts.md shows the harness's system prompt and compact tool texts: it must show the current ones. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compactToolTexts } from '../../../src/agent/lean/tool-text.js';
import { HARNESS_SYSTEM_PROMPT } from '../../../src/prompts/system.js';

const doc = readFileSync(new URL('../../../docs/prompts.md', import.meta.url), 'utf8');

describe('docs/prompts.md', () => {
  it("quotes the harness's system prompt verbatim, with its size", () => {
    expect(doc).toContain(`\`\`\`text\n${HARNESS_SYSTEM_PROMPT}\`\`\``);
    expect(doc).toContain(`(${Buffer.byteLength(HARNESS_SYSTEM_PROMPT)} bytes)`);
  });

  it('quotes every compact tool description', () => {
    const texts = compactToolTexts({ maxLines: 2000, maxKb: 50 });
    for (const name of ['read', 'bash', 'edit', 'write', 'ls']) {
      expect(doc, name).toContain(`| ${name} | ${texts[name]!.description} |`);
    }
  });
});
