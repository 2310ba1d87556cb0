/**
 * What an image file is, from its first bytes (never its name): the review model is told the
 * MIME type, and a screenshot that is really an HTML error page or an empty file must be caught
 * here, not by a confused model.
 */

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/webp';

/** Bytes needed to tell the supported formats apart. */
export const SNIFF_BYTES = 12;

/** Larger screenshots are refused: providers reject them, and base64 in a JSONL line gets heavy. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, expected: readonly number[], offset = 0): boolean {
  return expected.every((byte, i) => bytes[offset + i] === byte);
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

export function sniffImageMime(bytes: Uint8Array): ImageMime | undefined {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return undefined;
}
