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

export class Unsupported extends Error {}

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

export class PdfName {
  constructor(readonly n: string) {}
}
export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}
export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    readonly raw: Uint8Array,
  ) {}
}
export type PdfDict = Map<string, PdfObj>;
export type PdfObj = number | boolean | null | PdfName | Uint8Array | PdfObj[] | PdfDict | PdfRef | PdfStream | string;

const WS = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) WS[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

// Unambiguous (no two ways to split a run of digits): `\d+\.?\d*` backtracks quadratically on
// a long run of digits followed by anything else.
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Escapes of a literal string: \n \r \t \b \f. */
const ESCAPES: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 102: 12 };

/** Tokeniser and object parser over a byte buffer; `string` values are operators/keywords. */
export class Lexer {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    pos = 0,
  ) {
    this.pos = pos;
  }

  skipSpace(): void {
    const b = this.buf;
    while (this.pos < b.length) {
      const c = b[this.pos];
      if (WS[c]) this.pos++;
      else if (c === 0x25) while (this.pos < b.length && b[this.pos] !== 10 && b[this.pos] !== 13) this.pos++;
      else break;
    }
  }

  private word(): string {
    const start = this.pos;
    const b = this.buf;
    while (this.pos < b.length && !WS[b[this.pos]] && !DELIM[b[this.pos]]) this.pos++;
    let s = '';
    for (let i = start; i < this.pos; i++) s += String.fromCharCode(b[i]);
    return s;
  }

  private literal(): Uint8Array {
    const b = this.buf;
    const out: number[] = [];
    let depth = 1;
    this.pos++;
    while (this.pos < b.length) {
      let c = b[this.pos++];
      if (c === 0x5c) {
        c = b[this.pos++];
        if (ESCAPES[c] !== undefined) out.push(ESCAPES[c]);
        else if (c >= 0x30 && c <= 0x37) {
          let v = c - 0x30;
          for (let k = 0; k < 2 && b[this.pos] >= 0x30 && b[this.pos] <= 0x37; k++) v = v * 8 + (b[this.pos++] - 0x30);
          out.push(v & 0xff);
        } else if (c === 13) {
          if (b[this.pos] === 10) this.pos++;
        } else if (c !== 10) out.push(c);
        continue;
      }
      if (c === 0x28) depth++;
      else if (c === 0x29 && --depth === 0) break;
      out.push(c);
    }
    return Uint8Array.from(out);
  }

  private hex(): Uint8Array {
    const b = this.buf;
    this.pos++;
    const close = b.indexOf(0x3e, this.pos);
    const end = close < 0 ? b.length : close;
    // At most one byte per two digits: filled in place, no intermediate array.
    const out = new Uint8Array((end - this.pos + 1) >> 1);
    let k = 0;
    let hi = -1;
    for (; this.pos < end; this.pos++) {
      const c = b[this.pos];
      const v = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (v < 0) continue;
      if (hi < 0) hi = v;
      else {
        out[k++] = hi * 16 + v;
        hi = -1;
      }
    }
    if (hi >= 0) out[k++] = hi * 16;
    this.pos++;
    return k === out.length ? out : out.slice(0, k);
  }

  /**
   * A number token read from the bytes (what NUMBER accepts), or null with the position unchanged
   * when the word is something else: most tokens of a content stream are numbers.
   */
  private number(): number | null {
    const b = this.buf;
    const start = this.pos;
    let p = start;
    let neg = false;
    if (b[p] === 0x2b || b[p] === 0x2d) neg = b[p++] === 0x2d;
    let int = 0;
    let digits = 0;
    while (p < b.length && b[p] >= 0x30 && b[p] <= 0x39) {
      int = int * 10 + (b[p++] - 0x30);
      digits++;
    }
    let dot = false;
    if (b[p] === 0x2e) {
      dot = true;
      p++;
      while (p < b.length && b[p] >= 0x30 && b[p] <= 0x39) {
        p++;
        digits++;
      }
    }
    if (digits === 0 || (p < b.length && !WS[b[p]] && !DELIM[b[p]]) || digits > 15) return null;
    this.pos = p;
    if (!dot) return neg ? -int : int;
    let w = '';
    for (let i = start; i < p; i++) w += String.fromCharCode(b[i]);
    return Number(w);
  }

  /** The next object or operator; undefined at the end. */
  next(depth = 0): PdfObj | undefined {
    if (depth > 64) throw new Unsupported('nesting too deep');
    this.skipSpace();
    const b = this.buf;
    if (this.pos >= b.length) return undefined;
    const c = b[this.pos];
    if (c === 0x2f) {
      this.pos++;
      const w = this.word();
      return new PdfName(w.includes('#') ? w.replace(/#([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))) : w);
    }
    if (c === 0x28) return this.literal();
    if (c === 0x3c) {
      if (b[this.pos + 1] !== 0x3c) return this.hex();
      this.pos += 2;
      const dict: PdfDict = new Map();
      for (;;) {
        this.skipSpace();
        if (this.pos >= b.length) throw new Unsupported('unterminated dictionary');
        if (b[this.pos] === 0x3e) {
          this.pos += 2;
          return dict;
        }
        const key = this.next(depth + 1);
        if (!(key instanceof PdfName)) throw new Unsupported('bad dictionary key');
        dict.set(key.n, this.value(depth + 1));
      }
    }
    if (c === 0x5b) {
      this.pos++;
      const arr: PdfObj[] = [];
      for (;;) {
        this.skipSpace();
        if (this.pos >= b.length) throw new Unsupported('unterminated array');
        if (b[this.pos] === 0x5d) {
          this.pos++;
          return arr;
        }
        arr.push(this.value(depth + 1));
      }
    }
    if (c === 0x5d || c === 0x3e || c === 0x29 || c === 0x7b || c === 0x7d) {
      this.pos++;
      return String.fromCharCode(c);
    }
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e) {
      const v = this.number();
      if (v !== null) return v;
    }
    const w = this.word();
    if (w === '') {
      this.pos++;
      return '';
    }
    if (NUMBER.test(w)) return Number(w);
    if (w === 'true' || w === 'false') return w === 'true';
    if (w === 'null') return null;
    return w;
  }

  /** An object inside a dictionary or array: numbers may be the start of "n g R". */
  value(depth = 0): PdfObj {
    const v = this.next(depth);
    if (v === undefined) throw new Unsupported('unexpected end');
    if (typeof v === 'number' && Number.isInteger(v)) {
      // Look ahead by plain words only: parsing whole objects here and backing up would read a
      // nested `[1 [1 [1 …` twice per level (2^depth work).
      const save = this.pos;
      const g = this.plainWord();
      if (g !== null && NUMBER.test(g) && this.plainWord() === 'R') return new PdfRef(v, Number(g));
      this.pos = save;
    }
    return v;
  }

  /** The next token when it is a bare word (a number, a keyword), else null; linear in its length. */
  private plainWord(): string | null {
    this.skipSpace();
    if (this.pos >= this.buf.length || DELIM[this.buf[this.pos]]) return null;
    return this.word();
  }
}

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
