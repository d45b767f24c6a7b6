/**
 * A small PDF object reader for the fast text path: xref tables and xref streams, object streams,
 * FlateDecode with PNG predictors. Anything else (encryption, other filters, a broken xref) throws
 * Unsupported and the caller falls back to pdfjs, which repairs and decodes everything.
 *
 * Inflation is bounded while it runs (zlib stops at maxOutputLength): one stream may decode to at
 * most `maxStreamBytes`, all the streams decoded from one file to `maxDocumentBytes` together
 * (every decode counts, so a form drawn a thousand times costs a thousand decodes). Going over
 * throws LimitExceeded, which callers pass on: it is a verdict on the file, not a reason to try
 * pdfjs on it.
 */
import { inflateSync } from 'node:zlib';
import { DEFAULT_LIMITS_CONFIG, LimitExceeded } from '../../limits.ts';

import { Lexer, PdfName, PdfRef, PdfStream, Unsupported, type PdfDict, type PdfObj } from './pdf-lexer.ts';

export { Lexer, PdfName, PdfRef, PdfStream, Unsupported, type PdfDict, type PdfObj };

export interface InflateLimits {
  /** Decoded bytes of one stream (after all its filters). */
  maxStreamBytes: number;
  /** Decoded bytes of every stream decoded from this file, together. */
  maxDocumentBytes: number;
}

export const DEFAULT_INFLATE_LIMITS: InflateLimits = {
  maxStreamBytes: DEFAULT_LIMITS_CONFIG.pdfStreamBytes,
  maxDocumentBytes: DEFAULT_LIMITS_CONFIG.pdfDocumentBytes,
};

function num(v: PdfObj | undefined, fallback = 0): number {
  return typeof v === 'number' ? v : fallback;
}

function pngUnpredict(data: Uint8Array, columns: number, colors = 1, bpc = 8): Uint8Array {
  const bpp = Math.max(1, (colors * bpc) >> 3);
  const rowLen = (columns * colors * bpc + 7) >> 3;
  const rows = Math.floor(data.length / (rowLen + 1));
  const out = new Uint8Array(rows * rowLen);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)];
    const src = r * (rowLen + 1) + 1;
    const dst = r * rowLen;
    for (let i = 0; i < rowLen; i++) {
      const left = i >= bpp ? out[dst + i - bpp] : 0;
      const up = r > 0 ? out[dst - rowLen + i] : 0;
      const ul = r > 0 && i >= bpp ? out[dst - rowLen + i - bpp] : 0;
      let pred = 0;
      if (type === 1) pred = left;
      else if (type === 2) pred = up;
      else if (type === 3) pred = (left + up) >> 1;
      else if (type === 4) {
        const p = left + up - ul;
        const pa = Math.abs(p - left),
          pb = Math.abs(p - up),
          pc = Math.abs(p - ul);
        pred = pa <= pb && pa <= pc ? left : pb <= pc ? up : ul;
      }
      out[dst + i] = (data[src + i] + pred) & 0xff;
    }
  }
  return out;
}

export class PdfFile {
  private offsets = new Map<number, number>();
  private inStream = new Map<number, [number, number]>();
  /** Objects the newest section that names them marks free (deleted by an incremental update). */
  private free = new Set<number>();
  private cache = new Map<number, PdfObj>();
  trailer: PdfDict = new Map();
  readonly limits: InflateLimits;
  /** Decoded bytes so far, every decode counted. */
  inflated = 0;

  constructor(
    readonly buf: Uint8Array,
    limits: Partial<InflateLimits> = {},
  ) {
    this.limits = { ...DEFAULT_INFLATE_LIMITS, ...limits };
    this.readXref();
    if (this.trailer.has('Encrypt')) throw new Unsupported('encrypted');
  }

  private readXref(): void {
    const tail = Buffer.from(this.buf.subarray(Math.max(0, this.buf.length - 1024))).toString('latin1');
    const m = /startxref\s+(\d+)/.exec(tail.slice(tail.lastIndexOf('startxref')));
    if (!m) throw new Unsupported('no startxref');
    let at: number | null = Number(m[1]);
    const seen = new Set<number>();
    while (at !== null && !seen.has(at) && seen.size < 32) {
      seen.add(at);
      const dict = this.readXrefSection(at);
      // A hybrid file's table names an xref stream for its compressed objects: read after the
      // table, before the previous section (ISO 32000-1 §7.5.8.4).
      const stm = dict.get('XRefStm');
      if (typeof stm === 'number' && !seen.has(stm)) {
        seen.add(stm);
        this.readXrefSection(stm);
      }
      for (const [k, v] of dict) if (!this.trailer.has(k)) this.trailer.set(k, v);
      const prev = dict.get('Prev');
      at = typeof prev === 'number' ? prev : null;
    }
  }

  private readXrefSection(at: number): PdfDict {
    const lx = new Lexer(this.buf, at);
    const first = lx.next();
    if (first === 'xref') {
      for (;;) {
        const start = lx.next();
        if (start === 'trailer') break;
        const count = lx.next();
        if (typeof start !== 'number' || typeof count !== 'number') throw new Unsupported('bad xref table');
        for (let i = 0; i < count; i++) {
          const off = lx.next(),
            _gen = lx.next(),
            kind = lx.next();
          if (kind === undefined) throw new Unsupported('truncated xref table');
          if (this.known(start + i)) continue;
          if (kind === 'n' && typeof off === 'number') this.offsets.set(start + i, off);
          else if (kind === 'f') this.free.add(start + i);
        }
      }
      const trailer = lx.value();
      if (!(trailer instanceof Map)) throw new Unsupported('bad trailer');
      return trailer;
    }
    const stream = this.objectAt(at);
    if (!(stream instanceof PdfStream)) throw new Unsupported('bad xref stream');
    const w = stream.dict.get('W');
    if (!Array.isArray(w) || w.length !== 3) throw new Unsupported('bad /W');
    const widths = w.map((x) => num(x));
    const index = stream.dict.get('Index');
    const ranges = Array.isArray(index) ? index.map((x) => num(x)) : [0, num(stream.dict.get('Size'))];
    const data = this.decode(stream);
    const rowLen = widths[0] + widths[1] + widths[2];
    let p = 0;
    const field = (n: number, dflt: number) => {
      if (n === 0) return dflt;
      let v = 0;
      for (let k = 0; k < n; k++) v = v * 256 + data[p++];
      return v;
    };
    for (let r = 0; r + 1 < ranges.length; r += 2) {
      for (let i = 0; i < ranges[r + 1] && p + rowLen <= data.length; i++) {
        const n = ranges[r] + i;
        const type = field(widths[0], 1),
          a = field(widths[1], 0),
          b = field(widths[2], 0);
        if (this.known(n)) continue;
        if (type === 1) this.offsets.set(n, a);
        else if (type === 2) this.inStream.set(n, [a, b]);
        else if (type === 0) this.free.add(n);
      }
    }
    return stream.dict;
  }

  /** Whether a newer section already said where object n is, or that it is free. */
  private known(n: number): boolean {
    return this.offsets.has(n) || this.inStream.has(n) || this.free.has(n);
  }

  /** Parses "n g obj <object> [stream…]" at a byte offset. */
  private objectAt(at: number): PdfObj {
    const lx = new Lexer(this.buf, at);
    lx.next();
    lx.next();
    if (lx.next() !== 'obj') throw new Unsupported('no object at offset');
    const obj = lx.value();
    const save = lx.pos;
    if (obj instanceof Map && lx.next() === 'stream') {
      let p = lx.pos;
      if (this.buf[p] === 13) p++;
      if (this.buf[p] === 10) p++;
      const len = this.resolve(obj.get('Length'));
      if (typeof len !== 'number' || len < 0 || p + len > this.buf.length) throw new Unsupported('bad stream length');
      return new PdfStream(obj, this.buf.subarray(p, p + len));
    }
    lx.pos = save;
    return obj;
  }

  private loading = new Set<number>();

  get(num: number): PdfObj {
    if (this.cache.has(num)) return this.cache.get(num)!;
    // A stream whose /Length refers to itself, or an object stream inside itself.
    if (this.loading.has(num) || this.loading.size > 64) throw new Unsupported('reference cycle');
    this.loading.add(num);
    try {
      return this.load(num);
    } finally {
      this.loading.delete(num);
    }
  }

  private load(num: number): PdfObj {
    let obj: PdfObj = null;
    const off = this.offsets.get(num);
    if (off !== undefined) obj = this.objectAt(off);
    else {
      const loc = this.inStream.get(num);
      if (loc) obj = this.fromObjectStream(loc[0], loc[1]);
    }
    this.cache.set(num, obj);
    return obj;
  }

  /** Object streams decoded once, with their offset table: every object in one costs one lookup, not a decode. */
  private objectStreams = new Map<number, { data: Uint8Array; first: number; pairs: number[] }>();

  private fromObjectStream(streamNum: number, index: number): PdfObj {
    let os = this.objectStreams.get(streamNum);
    if (!os) {
      const s = this.get(streamNum);
      if (!(s instanceof PdfStream)) throw new Unsupported('bad object stream');
      const data = this.decode(s);
      const lx = new Lexer(data);
      const n = num(s.dict.get('N'));
      const pairs: number[] = [];
      for (let i = 0; i < n * 2; i++) {
        const t = lx.next();
        // A count /N larger than the table: the missing entries are not there to read.
        if (t === undefined) break;
        pairs.push(num(t));
      }
      os = { data, first: num(s.dict.get('First')), pairs };
      this.objectStreams.set(streamNum, os);
    }
    const lx = new Lexer(os.data);
    lx.pos = os.first + os.pairs[index * 2 + 1];
    return lx.value();
  }

  resolve(v: PdfObj | undefined, depth = 0): PdfObj | undefined {
    let cur = v;
    while (cur instanceof PdfRef && depth++ < 16) cur = this.get(cur.num);
    return cur;
  }

  dict(v: PdfObj | undefined): PdfDict | null {
    const r = this.resolve(v);
    if (r instanceof PdfStream) return r.dict;
    return r instanceof Map ? r : null;
  }

  /** Decoded stream bytes (FlateDecode with or without a PNG predictor, or no filter). */
  decode(s: PdfStream): Uint8Array {
    const filter = this.resolve(s.dict.get('Filter'));
    const filters = (Array.isArray(filter) ? filter : filter ? [filter] : []).map((f) => (f instanceof PdfName ? f.n : '?'));
    let data = s.raw;
    for (const f of filters) {
      if (f !== 'FlateDecode' && f !== 'Fl') throw new Unsupported(`filter ${f}`);
      data = this.inflate(data);
    }
    const parms = this.dict(s.dict.get('DecodeParms') ?? s.dict.get('DP'));
    const predictor = num(parms?.get('Predictor'), 1);
    if (predictor >= 10) data = pngUnpredict(data, num(parms?.get('Columns'), 1), num(parms?.get('Colors'), 1), num(parms?.get('BitsPerComponent'), 8));
    else if (predictor !== 1) throw new Unsupported(`predictor ${predictor}`);
    return data;
  }

  /** One FlateDecode step, stopped by zlib at whichever limit is nearer. */
  private inflate(data: Uint8Array): Uint8Array {
    const { maxStreamBytes, maxDocumentBytes } = this.limits;
    const left = maxDocumentBytes - this.inflated;
    const docLimit = () =>
      new LimitExceeded('pdf-document-bytes', maxDocumentBytes, null, `PDF streams inflate to more than ${maxDocumentBytes} bytes together`);
    if (left <= 0) throw docLimit();
    const cap = Math.min(maxStreamBytes, left);
    let out: Buffer;
    try {
      out = inflateSync(data, { maxOutputLength: cap });
    } catch (err) {
      // zlib raises RangeError (and only that) when the output would pass maxOutputLength.
      if (err instanceof RangeError) {
        throw cap === maxStreamBytes
          ? new LimitExceeded('pdf-inflated-bytes', maxStreamBytes, null, `a PDF stream inflates to more than ${maxStreamBytes} bytes`)
          : docLimit();
      }
      throw err;
    }
    this.inflated += out.length;
    return out;
  }
}
