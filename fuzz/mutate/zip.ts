/**
 * ZIP and DOCX operations (docs/fuzzing.md, "Mutations"): record fields (sizes, counts, offsets,
 * name lengths) of local, central, end and ZIP64 records set to lying values, a DOCX re-zipped with
 * a mutated `word/document.xml` (or another entry), and compression bombs (40 MB of XML). The ZIP
 * writer is this module's own (deflatedZip), so a re-zipped input costs milliseconds.
 */
import { deflateRawSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { mix } from '../rng.ts';
import { bytes, latin1 } from './bytes.ts';
import { type ApplyOp, type Format, MAX_INPUT_BYTES, type MutationContext, type Mutations, type Op, pick, runOps, subOps } from './ops.ts';

const ZIP_FIELDS: Record<string, Array<[number, 2 | 4]>> = {
  '\x03\x04': [
    [4, 2],
    [6, 2],
    [8, 2],
    [14, 4],
    [18, 4],
    [22, 4],
    [26, 2],
    [28, 2],
  ],
  '\x01\x02': [
    [8, 2],
    [10, 2],
    [16, 4],
    [20, 4],
    [24, 4],
    [28, 2],
    [30, 2],
    [32, 2],
    [34, 2],
    [42, 4],
  ],
  '\x05\x06': [
    [4, 2],
    [6, 2],
    [8, 2],
    [10, 2],
    [12, 4],
    [16, 4],
    [20, 2],
  ],
  '\x06\x06': [
    [24, 4],
    [32, 4],
    [40, 4],
    [48, 4],
  ],
};

function zipField(buf: Buffer, a: number, b: number, c: number, d: number, apply: ApplyOp): Buffer {
  const s = latin1(buf);
  const recs: Array<{ at: number; fields: Array<[number, 2 | 4]> }> = [];
  const re = /PK(\x03\x04|\x01\x02|\x05\x06|\x06\x06)/g;
  for (let m = re.exec(s); m && recs.length < 5000; m = re.exec(s)) recs.push({ at: m.index, fields: ZIP_FIELDS[m[1]] });
  if (!recs.length) return apply(buf, { k: 'flip', a, b, c, d }, { format: 'zip', others: [] });
  const rec = pick(recs, a);
  const [off, width] = pick(rec.fields, b);
  const at = rec.at + off;
  if (at + width > buf.length) return buf;
  const out = Buffer.from(buf);
  const orig = width === 2 ? out.readUInt16LE(at) : out.readUInt32LE(at);
  const max = width === 2 ? 0xffff : 0xffffffff;
  const value = pick([0, 1, max, orig + 1, Math.min(max, orig * 1000), orig - 1, mix(d) >>> 0, max >>> 1], c);
  const v = ((value % (max + 1)) + (max + 1)) % (max + 1);
  if (width === 2) out.writeUInt16LE(v, at);
  else out.writeUInt32LE(v, at);
  return out;
}

function zipEntry(buf: Buffer, op: Op, ctx: MutationContext, apply: ApplyOp): Buffer {
  let files: Record<string, Uint8Array>;
  try {
    // fflate allocates what an entry declares: skip entries that claim more than we would write
    files = unzipSync(buf, { filter: (f) => f.originalSize <= 8 * 1024 * 1024 && f.size <= MAX_INPUT_BYTES });
  } catch {
    return apply(buf, { ...op, k: 'zipField' }, ctx);
  }
  const names = Object.keys(files);
  if (!names.length) return buf;
  const name = op.d % 3 !== 0 && files['word/document.xml'] ? 'word/document.xml' : pick(names, op.a);
  const content = Buffer.from(files[name]);
  const format: Format = name.endsWith('.xml') || name.endsWith('.rels') ? 'xml' : 'text';
  const mutated = runOps(apply, content, subOps(op, format, 1 + (op.c % 4)), { format, others: ctx.others });
  const out: Array<[string, Buffer]> = names.map((n) => [n, n === name ? mutated : Buffer.from(files[n])]);
  if (op.b % 7 === 0) out.push([`word/${'x'.repeat(op.c % 300)}.xml`, mutated.subarray(0, 100)]);
  return deflatedZip(out, pick([0, 1, 6, 9], op.c));
}

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function crc32(data: Buffer): number {
  let c = -1;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** A ZIP of deflated entries, written by hand (zlib is native: megabytes deflate in milliseconds). */
export function deflatedZip(files: Array<[string, Buffer]>, level = 9): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const packed = level === 0 ? data : deflateRawSync(data, { level });
    // ZIP keeps a name's length in 16 bits: a mutated entry name can be longer (seed 20261207, docx #12894).
    const n = Buffer.from(name, 'utf8').subarray(0, 0xffff);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(level === 0 ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(level === 0 ? 0 : 8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, packed);
    centrals.push(central, n);
    offset += 30 + n.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Math.min(files.length, 0xffff), 8);
  eocd.writeUInt16LE(Math.min(files.length, 0xffff), 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const bombs = new Map<string, Buffer>();
/** A DOCX whose document.xml inflates to megabytes (ratio and size limits). Cached per process. */
function zipBomb(b: number, c: number): Buffer {
  const size = pick([1_000_000, 21_000_000, 40_000_000], b);
  const pattern = pick(['<w:p><w:r><w:t>a</w:t></w:r></w:p>', '\0', ' '], c);
  const key = `${size}:${pattern}`;
  let zip = bombs.get(key);
  if (!zip) {
    const xml = Buffer.concat([bytes('<?xml version="1.0"?><w:document xmlns:w="x"><w:body>'), Buffer.alloc(size, pattern), bytes('</w:body></w:document>')]);
    zip = deflatedZip([
      ['[Content_Types].xml', bytes('<Types/>')],
      ['word/document.xml', xml],
    ]);
    bombs.set(key, zip);
  }
  return zip;
}

export const zipOps = {
  zipField: (buf, { a, b, c, d }, _ctx, apply) => zipField(buf, a, b, c, d, apply),
  zipEntry,
  zipBomb: (_buf, { b, c }) => zipBomb(b, c),
} satisfies Mutations;
