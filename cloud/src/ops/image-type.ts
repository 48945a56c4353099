import type { PhotoType } from '@atrium/shared';

/**
 * What an image's first bytes say it is. A content-type header is the sender's claim; the
 * stored type is served back to browsers, so it must be what the bytes are (with nosniff
 * nothing second-guesses it).
 */
const SIGNATURES: ReadonlyArray<{ type: PhotoType; test: (b: Buffer) => boolean }> = [
  { type: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/jpeg', test: (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/webp', test: (b) => b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP' },
];

export function imageTypeOf(bytes: Buffer): PhotoType | null {
  return SIGNATURES.find((s) => s.test(bytes))?.type ?? null;
}
