/**
 * The capture manifest (docs/visual-review.md): `<captureDir>/manifest.json` lists the screens the capture
 * command wrote, `{"screens":[{"id","label","path"}]}`, paths relative to the capture dir.
 *
 * Everything the model is shown passes through here, so the checks are strict: a path must stay
 * inside the capture dir (no absolute path, no `..`, no symlink pointing out — a capture script
 * must not be able to make the harness upload ~/.ssh/id_rsa), and each file must exist and really
 * be an image. Every problem is collected, each naming the screen's id and path, so one failed
 * capture tells the user everything that is wrong with it.
 */
import { open, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from '../util/validator.js';
import { MAX_IMAGE_BYTES, SNIFF_BYTES, sniffImageMime, type ImageMime } from './image-type.js';
import { errorCode, errorMessage } from '../util/errors.js';

export const MANIFEST_FILE = 'manifest.json';

const ScreenSchema = z.object({
  id: z.string().trim().min(1, 'expected a non-empty id'),
  /** What the screen shows, for the reviewer; the id when absent. */
  label: z.string().optional(),
  path: z.string().min(1, 'expected a non-empty path relative to the capture dir'),
});

export const ManifestSchema = z.object({
  screens: z.array(ScreenSchema).min(1, 'expected at least one screen'),
});

export type Manifest = z.infer<typeof ManifestSchema>;

export interface CapturedScreen {
  id: string;
  label: string;
  /** As written in the manifest. */
  path: string;
  /** Absolute, symlinks resolved. */
  file: string;
  mimeType: ImageMime;
  bytes: number;
}

export type ManifestCheck = { ok: true; screens: CapturedScreen[] } | { ok: false; problems: string[] };

/** Why `relative` may not be used as a path inside the capture dir, if it may not. */
export function pathShapeProblem(relative: string): string | undefined {
  if (relative.includes('\0')) return 'the path contains a NUL byte';
  if (path.isAbsolute(relative) || /^[A-Za-z]:/.test(relative) || relative.startsWith('\\')) {
    return 'the path is absolute; it must be relative to the capture dir';
  }
  if (relative.split(/[\\/]/).includes('..')) return 'the path uses ".." and would leave the capture dir';
  return undefined;
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

async function readHead(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Checks one screen's file; a problem sentence, or the screen ready to send. */
async function checkScreen(realDir: string, screen: Manifest['screens'][number]): Promise<CapturedScreen | string> {
  const shape = pathShapeProblem(screen.path);
  if (shape) return shape;
  let file: string;
  try {
    file = await realpath(path.resolve(realDir, screen.path));
  } catch (error) {
    const code = errorCode(error);
    return code === 'ENOENT' ? 'image file not found' : `cannot read the image (${code ?? String(error)})`;
  }
  if (!isInside(realDir, file)) return 'the path resolves (through a symlink) to a file outside the capture dir';
  const info = await stat(file);
  if (!info.isFile()) return 'not a regular file';
  if (info.size === 0) return 'the image file is empty';
  if (info.size > MAX_IMAGE_BYTES) return `the image is ${info.size} bytes; at most ${MAX_IMAGE_BYTES} are sent`;
  const mimeType = sniffImageMime(await readHead(file));
  if (!mimeType) return 'not a PNG, JPEG or WebP image (checked by its content, not its name)';
  return {
    id: screen.id,
    label: screen.label?.trim() || screen.id,
    path: screen.path,
    file,
    mimeType,
    bytes: info.size,
  };
}

function zodProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = issue.path
      .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
      .join('')
      .replace(/^\./, '');
    return `${MANIFEST_FILE}${where ? ` ${where}` : ''}: ${issue.message}`;
  });
}

/** Reads and checks `<captureDir>/manifest.json` and every image it lists. */
export async function validateCapture(captureDir: string): Promise<ManifestCheck> {
  const manifestFile = path.join(captureDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestFile, 'utf8');
  } catch {
    return { ok: false, problems: [`the capture command wrote no ${MANIFEST_FILE} in ${captureDir}`] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { ok: false, problems: [`${MANIFEST_FILE} is not valid JSON: ${errorMessage(error)}`] };
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: zodProblems(parsed.error) };

  const realDir = await realpath(captureDir);
  const problems: string[] = [];
  const screens: CapturedScreen[] = [];
  const seen = new Set<string>();
  for (const screen of parsed.data.screens) {
    const name = `screen "${screen.id}" (${screen.path})`;
    if (seen.has(screen.id)) problems.push(`${name}: the id is used by an earlier screen too`);
    seen.add(screen.id);
    const checked = await checkScreen(realDir, screen);
    if (typeof checked === 'string') problems.push(`${name}: ${checked}`);
    else screens.push(checked);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, screens };
}
