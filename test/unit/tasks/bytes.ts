/** Byte offsets at which two equally long buffers differ; throws when the lengths differ. */
export function differingBytes(before: Buffer, after: Buffer): number[] {
  if (before.length !== after.length) throw new Error(`length changed: ${before.length} → ${after.length}`);
  const offsets: number[] = [];
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) offsets.push(i);
  return offsets;
}

export function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}
