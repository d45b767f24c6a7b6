/**
 * Minimal ZIP reader for DOCX: the central directory gives each entry's declared sizes, which are
 * checked before anything is inflated; inflation itself stops at the declared size (zlib's
 * maxOutputLength), so a header that lies about the size cannot blow up memory either.
 *
 * Limits (entries, uncompressed bytes of an entry, compression ratio) throw LimitExceeded: the
 * archive is refused as hostile. A damaged archive throws ZipError: it is merely unreadable.
 */
import { inflateRawSync } from 'node:zlib';
import { DEFAULT_LIMITS_CONFIG, LimitExceeded } from '../../limits.ts';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  encrypted: boolean;
}

export class ZipError extends Error {}

/** Lists the central directory; more than `maxEntries` entries throws LimitExceeded (archive-entries) before any is read. */
export function listZip(buf: Buffer, maxEntries = DEFAULT_LIMITS_CONFIG.archiveEntries): ZipEntry[] {
  const minEocd = 22;
  let eocd = -1;
  for (let i = buf.length - minEocd; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('not a ZIP file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  if (count > maxEntries) throw new LimitExceeded('archive-entries', maxEntries, count, `archive has ${count} entries (more than ${maxEntries})`);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new ZipError('corrupt central directory');
    const flags = buf.readUInt16LE(p + 8);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    entries.push({
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
      encrypted: (flags & 1) === 1,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/**
 * Inflates one entry, refusing (LimitExceeded) sizes over `maxBytes` and ratios over `maxRatio`
 * from the declared sizes before inflating; inflation stops at the declared size, so the actual
 * output is bounded by both limits too.
 */
export function readEntry(buf: Buffer, e: ZipEntry, maxBytes: number, maxRatio: number): Buffer {
  if (e.encrypted) throw new ZipError(`${e.name} is encrypted`);
  if (e.size > maxBytes)
    throw new LimitExceeded('archive-inflated-bytes', maxBytes, e.size, `${e.name} would inflate to ${e.size} bytes (limit ${maxBytes}; zip bomb?)`);
  if (e.size > 0 && (e.compressedSize === 0 || e.size / e.compressedSize > maxRatio)) {
    const ratio = e.compressedSize ? Math.round(e.size / e.compressedSize) : Infinity;
    throw new LimitExceeded(
      'archive-ratio',
      maxRatio,
      Number.isFinite(ratio) ? ratio : null,
      `${e.name} has a compression ratio of ${ratio}:1 (limit ${maxRatio}:1; zip bomb?)`,
    );
  }
  const p = e.localOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== 0x04034b50) throw new ZipError('corrupt local header');
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) return data.subarray(0, Math.min(data.length, maxBytes));
  if (e.method !== 8) throw new ZipError(`${e.name} uses unsupported compression method ${e.method}`);
  try {
    return inflateRawSync(data, { maxOutputLength: Math.max(1, e.size) });
  } catch (err) {
    throw new ZipError(`${e.name} does not inflate to its declared size: ${(err as Error).message}`);
  }
}
