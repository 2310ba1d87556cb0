/**
 * `visual-review-worker`'s request: one JSON object on stdin,
 * `{images:[{path|data, mimeType}], task, phase, changedFiles, model?}`. Images are checked the
 * way captured screenshots are (by content, size-capped); a `data` URL prefix is tolerated.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from '../util/validator.js';
import { MAX_IMAGE_BYTES, sniffImageMime } from './image-type.js';
import { errorMessage } from '../util/errors.js';

const ImageRef = z
  .object({
    path: z.string().min(1).optional(),
    data: z.string().min(1).optional(),
    mimeType: z.string().optional(),
    id: z.string().min(1).optional(),
    label: z.string().optional(),
  })
  .refine((image) => (image.path === undefined) !== (image.data === undefined), {
    message: 'each image needs exactly one of "path" or "data"',
  });

export const WorkerRequestSchema = z.object({
  images: z.array(ImageRef).min(1, 'expected at least one image'),
  task: z.string().default(''),
  phase: z.string().nullable().default(null),
  changedFiles: z.array(z.string()).default([]),
  model: z
    .string()
    .regex(/^[^/\s]+\/\S+$/, 'expected a model name of the form "provider/id"')
    .optional(),
});
export type WorkerRequest = z.infer<typeof WorkerRequestSchema>;

export interface LoadedImage {
  id: string;
  label: string;
  mimeType: string;
  data: string;
  bytes: number;
}

/** The request, or the problems with it (each naming the field). */
export function parseWorkerRequest(
  text: string,
): { ok: true; request: WorkerRequest } | { ok: false; problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`the request on stdin is not JSON: ${errorMessage(error)}`] };
  }
  const parsed = WorkerRequestSchema.safeParse(raw);
  if (parsed.success) return { ok: true, request: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`),
  };
}

async function bytesOf(image: WorkerRequest['images'][number], cwd: string): Promise<Buffer | string> {
  if (image.data !== undefined) {
    const base64 = image.data.replace(/^data:[^;,]*;base64,/, '');
    const bytes = Buffer.from(base64, 'base64');
    return bytes.length > MAX_IMAGE_BYTES
      ? `the image is ${bytes.length} bytes; at most ${MAX_IMAGE_BYTES} are sent`
      : bytes;
  }
  const file = path.resolve(cwd, image.path!);
  try {
    const info = await stat(file);
    if (!info.isFile()) return `${file} is not a regular file`;
    if (info.size > MAX_IMAGE_BYTES) return `the image is ${info.size} bytes; at most ${MAX_IMAGE_BYTES} are sent`;
    return await readFile(file);
  } catch {
    return `${file}: image file not found`;
  }
}

/** Reads and checks every image; problems name the image by its id (or position) and path. */
export async function loadWorkerImages(
  request: WorkerRequest,
  cwd: string,
): Promise<{ images: LoadedImage[]; problems: string[] }> {
  const images: LoadedImage[] = [];
  const problems: string[] = [];
  for (const [index, image] of request.images.entries()) {
    const id = image.id ?? `image-${index + 1}`;
    const name = `image "${id}"${image.path ? ` (${image.path})` : ''}`;
    const bytes = await bytesOf(image, cwd);
    if (typeof bytes === 'string') {
      problems.push(`${name}: ${bytes}`);
      continue;
    }
    const mimeType = sniffImageMime(bytes);
    if (!mimeType) {
      problems.push(`${name}: not a PNG, JPEG or WebP image (checked by its content)`);
      continue;
    }
    images.push({
      id,
      label: image.label?.trim() || id,
      mimeType,
      data: bytes.toString('base64'),
      bytes: bytes.length,
    });
  }
  return { images, problems };
}
