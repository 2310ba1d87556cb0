/**
 * The language of a source file, from its extension: which test markers apply to it, and how its
 * comments are written.
 */

export type Language = 'javascript' | 'python' | 'go' | 'rust' | 'java' | 'ruby';

const LANGUAGE_BY_EXTENSION: Readonly<Record<string, Language>> = {
  js: 'javascript',
  jsx: 'javascript',
  ts: 'javascript',
  tsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  mts: 'javascript',
  cts: 'javascript',
  py: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  kt: 'java',
  groovy: 'java',
  scala: 'java',
  rb: 'ruby',
};

export function languageOf(path: string): Language | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : LANGUAGE_BY_EXTENSION[extension];
}

/**
 * The text with its comments blanked out (line structure kept), so that commented-out tests do
 * not count as tests. A comment marker inside a string literal is taken for a comment too: the
 * rest of that line is lost, which only ever hides a test, never invents one.
 */
export function withoutComments(text: string, language: Language | undefined): string {
  switch (language) {
    case 'python':
      return text.replace(/#.*$/gm, '');
    case 'ruby':
      return text.replace(/^=begin[\s\S]*?^=end.*$/gm, (block) => block.replace(/[^\n]/g, '')).replace(/#.*$/gm, '');
    case undefined:
      return text;
    default:
      return text
        .replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, ''))
        .replace(/(^|[^:])\/\/.*$/gm, '$1');
  }
}
