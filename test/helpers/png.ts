/**
 * Tiny valid PNGs for tests, with no image library: an 8-bit RGB image of one colour. The same
 * encoder is exported as JavaScript source so a capture script running in its own process can
 * write screenshots too.
 */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function solidPng(width: number, height: number, rgb: [number, number, number] = [200, 30, 30]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB, default compression/filter/interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A capture script (ES module source) for end-to-end tests. Arguments: screen ids to write as
 * PNGs; `--missing=<id>` lists a screen in the manifest without writing its file. Every
 * invocation appends its PI_VISUAL_* environment as one JSON line to $CAPTURE_LOG when set.
 */
export const CAPTURE_SCRIPT = `
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

function chunk(type, data) {
  const length = Buffer.alloc(4); length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
function png(width, height, rgb) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0); header.writeUInt32BE(height, 4); header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}

const dir = process.env.PI_VISUAL_CAPTURE_DIR;
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('PI_VISUAL_')));
if (process.env.CAPTURE_LOG) appendFileSync(process.env.CAPTURE_LOG, JSON.stringify({ cwd: process.cwd(), env }) + '\\n');
const screens = [];
process.argv.slice(2).forEach((arg, i) => {
  if (arg.startsWith('--missing=')) {
    const id = arg.slice('--missing='.length);
    screens.push({ id, label: 'never written', path: id + '.png' });
    return;
  }
  writeFileSync(join(dir, arg + '.png'), png(4 + i, 3, [20 * i, 120, 200]));
  screens.push({ id: arg, label: 'The ' + arg + ' screen', path: arg + '.png' });
});
writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ screens }, null, 2));
`;
