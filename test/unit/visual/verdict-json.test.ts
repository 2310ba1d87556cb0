import { describe, expect, it } from 'vitest';
import { DEFAULT_PROMPT_CAPS } from '../../../src/prompts/types.js';
import { buildVisualReviewPrompt, VISUAL_REVIEW_HEADING } from '../../../src/prompts/visual-review.js';
import { findingText, parseVisualAnswer, withoutTrailingCommas } from '../../../src/visual/verdict-json.js';

describe('reading the review answer', () => {
  it('reads a plain JSON answer', () => {
    expect(parseVisualAnswer('{"verdict":"PASS","summary":"All good.","findings":[]}')).toEqual({
      verdict: 'PASS',
      summary: 'All good.',
      findings: [],
    });
  });

  it('reads a fenced answer surrounded by prose', () => {
    const text =
      'I looked at both screens.\n\n```json\n{\n  "verdict": "FAIL",\n  "summary": "The title is cut off.",\n  "findings": ["home: the title is cut off at the right edge"]\n}\n```\nLet me know if you need more.';
    expect(parseVisualAnswer(text)).toEqual({
      verdict: 'FAIL',
      summary: 'The title is cut off.',
      findings: ['home: the title is cut off at the right edge'],
    });
  });

  it('tolerates trailing commas, any case of the verdict and its keys, and a full stop', () => {
    expect(parseVisualAnswer('{"Verdict": "blocked.", "Summary": "Blank images", "findings": ["a", ],}')).toEqual({
      verdict: 'BLOCKED',
      summary: 'Blank images',
      findings: ['a'],
    });
    expect(withoutTrailingCommas('{"a": "x,]", "b": [1,2,],}')).toBe('{"a": "x,]", "b": [1,2]}');
  });

  it('flattens finding objects to "screen: issue (severity)" and accepts one string as a list', () => {
    const text = JSON.stringify({
      verdict: 'FAIL',
      summary: 's',
      findings: [
        { screen: 'home', issue: 'overlapping menu', severity: 'high' },
        { description: 'no screen named' },
        { weird: 1 },
      ],
    });
    expect(parseVisualAnswer(text)!.findings).toEqual([
      'home: overlapping menu (high)',
      'no screen named',
      '{"weird":1}',
    ]);
    expect(parseVisualAnswer('{"verdict":"FAIL","summary":"s","findings":"one problem"}')!.findings).toEqual([
      'one problem',
    ]);
    expect(findingText('  padded  ')).toBe('padded');
    expect(parseVisualAnswer('{"verdict":"PASS","summary":"s","findings":null}')!.findings).toEqual([]);
    expect(parseVisualAnswer('{"verdict":"FAIL","summary":"s","findings":[null, "", "real"]}')!.findings).toEqual([
      'real',
    ]);
  });

  it('reads an answer nested one level down, and takes the last answer when there are several', () => {
    expect(parseVisualAnswer('{"review": {"verdict": "PASS", "summary": "ok"}}')!.verdict).toBe('PASS');
    const text =
      'An example: {"verdict": "PASS", "summary": "example", "findings": []}\nMy answer: {"verdict": "FAIL", "summary": "real", "findings": ["x"]}';
    expect(parseVisualAnswer(text)!.summary).toBe('real');
  });

  it('finds no verdict in an echo of the instruction, in prose, in broken JSON or in nothing', () => {
    expect(parseVisualAnswer('{"verdict": "PASS|FAIL|BLOCKED", "summary": "...", "findings": []}')).toBeUndefined();
    expect(parseVisualAnswer('{"verdict": "PASS or FAIL"}')).toBeUndefined();
    expect(parseVisualAnswer('VERDICT: PASS')).toBeUndefined();
    expect(parseVisualAnswer('{"verdict": "PASS", "summary": "unterminated')).toBeUndefined();
    expect(parseVisualAnswer('{"summary": "no verdict key"}')).toBeUndefined();
    expect(parseVisualAnswer('')).toBeUndefined();
  });

  it('the review prompt itself parses as no verdict, and names task, phase, files and screens in order', () => {
    const prompt = buildVisualReviewPrompt({
      task: 'Add a dark theme',
      phase: 'Phase 2: looks',
      changedFiles: ['src/theme.css', 'src/app.tsx'],
      screens: [
        { id: 'home', label: 'Home page' },
        { id: 'settings', label: 'settings' },
      ],
      omittedScreens: 2,
      maxImages: 2,
      previousFeedback: 'Visual review FAIL.\nFindings:\n- home: contrast too low',
      caps: DEFAULT_PROMPT_CAPS,
    });
    expect(parseVisualAnswer(prompt)).toBeUndefined();
    expect(prompt.startsWith(`${VISUAL_REVIEW_HEADING}\n`)).toBe(true);
    expect(prompt).toContain('- Phase: Phase 2: looks');
    expect(prompt).toContain('- Task: Add a dark theme');
    expect(prompt).toContain('  - src/theme.css');
    expect(prompt).toMatch(/1\. `home` — Home page\n2\. `settings`\n/);
    expect(prompt).toContain('2 more screen(s) were captured but not sent');
    expect(prompt).toContain('home: contrast too low');
  });
});
