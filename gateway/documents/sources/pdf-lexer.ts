/**
 * Tokeniser and object parser of the fast PDF reader (pdf-objects.ts): numbers, names, strings,
 * arrays, dictionaries and references over a byte buffer, with depth and backtracking bounds.
 * Anything it does not understand throws Unsupported and the caller falls back to pdfjs.
 */

export class Unsupported extends Error {}

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
/**
 * The longest bare token (name, number, keyword) read: real ones are a few dozen bytes. A longer run
 * (a fuzz input had six million "0" after a signature: every object looked up there read all of it,
 * seconds of CPU outside any budget) is not a PDF this reader takes; pdfjs gets it instead.
 */
export const MAX_TOKEN_BYTES = 4096;

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * The content-stream operators (ISO 32000-1, Annex A) of up to three bytes, by their bytes: the lexer
 * returns these strings instead of making one per operator read (a page has thousands), and the
 * content interpreter's `switch` meets the same strings each time.
 */
const OPERATORS = new Map<number, string>();
const OPERATOR_NAMES =
  'b B b* B* BDC BI BMC BT BX c cm CS cs d d0 d1 Do DP EI EMC ET EX f F f* G g gs h i ID j J K k l m M MP n q Q re RG rg ri s S SC sc SCN scn sh T* Tc Td TD Tf Tj TJ TL Tm Tr Ts Tw Tz v w W W* y \' "';
for (const op of OPERATOR_NAMES.split(' ')) {
  let key = 0;
  for (let i = 0; i < op.length; i++) key |= op.charCodeAt(i) << (8 * i);
  OPERATORS.set(key, op);
}

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
    const end = Math.min(b.length, start + MAX_TOKEN_BYTES + 1);
    while (this.pos < end && !WS[b[this.pos]] && !DELIM[b[this.pos]]) this.pos++;
    if (this.pos - start > MAX_TOKEN_BYTES) throw new Unsupported(`a token longer than ${MAX_TOKEN_BYTES} bytes`);
    const len = this.pos - start;
    if (len <= 3) {
      const op = OPERATORS.get(len === 1 ? b[start] : len === 2 ? b[start] | (b[start + 1] << 8) : b[start] | (b[start + 1] << 8) | (b[start + 2] << 16));
      if (op !== undefined && op.length === len) return op;
    }
    let s = '';
    for (let i = start; i < this.pos; i++) s += String.fromCharCode(b[i]);
    return s;
  }

  private literal(): Uint8Array {
    const b = this.buf;
    // Most strings have no escape: their bytes are the buffer's own (a view, no copy).
    for (let p = this.pos + 1, depth = 1; p < b.length; p++) {
      const c = b[p];
      if (c === 0x5c) break;
      if (c === 0x28) depth++;
      else if (c === 0x29 && --depth === 0) {
        const start = this.pos + 1;
        this.pos = p + 1;
        return b.subarray(start, p);
      }
    }
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
    while (p < b.length && b[p] >= 0x30 && b[p] <= 0x39 && digits <= 15) {
      int = int * 10 + (b[p++] - 0x30);
      digits++;
    }
    // The digits after the point as one integer over its power of ten: with at most 15 digits in
    // all both are exact, and the one division rounds as Number() would.
    let frac = 0;
    let scale = 1;
    if (b[p] === 0x2e) {
      p++;
      while (p < b.length && b[p] >= 0x30 && b[p] <= 0x39 && digits <= 15) {
        frac = frac * 10 + (b[p++] - 0x30);
        scale *= 10;
        digits++;
      }
    }
    if (digits === 0 || (p < b.length && !WS[b[p]] && !DELIM[b[p]]) || digits > 15) return null;
    this.pos = p;
    const v = scale === 1 ? int : (int * scale + frac) / scale;
    return neg ? -v : v;
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
    // Only a word starting with a digit, a sign or a point can be a number (NUMBER): operators skip the test.
    const numeric = (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e;
    if (numeric) {
      const v = this.number();
      if (v !== null) return v;
    }
    const w = this.word();
    if (w === '') {
      this.pos++;
      return '';
    }
    if (numeric && NUMBER.test(w)) return Number(w);
    if (w === 'true' || w === 'false') return w === 'true';
    if (w === 'null') return null;
    return w;
  }

  /** An object inside a dictionary or array: numbers may be the start of "n g R". */
  value(depth = 0): PdfObj {
    const v = this.next(depth);
    if (v === undefined) throw new Unsupported('unexpected end');
    if (typeof v === 'number' && Number.isInteger(v)) {
      // Look ahead over the bytes of two bare words only (no strings made: most integers are not
      // references, in a width array there are thousands): parsing whole objects here and backing
      // up would read a nested `[1 [1 [1 …` twice per level (2^depth work).
      const save = this.pos;
      const gen = this.bareNumber();
      if (gen !== null) {
        this.skipSpace();
        const b = this.buf;
        const at = this.pos;
        if (b[at] === 0x52 && (at + 1 >= b.length || WS[b[at + 1]] || DELIM[b[at + 1]])) {
          this.pos = at + 1;
          return new PdfRef(v, gen);
        }
      }
      this.pos = save;
    }
    return v;
  }

  /** The next token when it is a bare word that is a number (a generation), else null; linear in its length. */
  private bareNumber(): number | null {
    this.skipSpace();
    const b = this.buf;
    const start = this.pos;
    let digits = true;
    const end = Math.min(b.length, start + MAX_TOKEN_BYTES + 1);
    while (this.pos < end && !WS[b[this.pos]] && !DELIM[b[this.pos]]) {
      if (b[this.pos] < 0x30 || b[this.pos] > 0x39) digits = false;
      this.pos++;
    }
    if (this.pos === start) return null;
    if (digits && this.pos - start <= 15) {
      let n = 0;
      for (let i = start; i < this.pos; i++) n = n * 10 + (b[i] - 0x30);
      return n;
    }
    let w = '';
    for (let i = start; i < this.pos; i++) w += String.fromCharCode(b[i]);
    return NUMBER.test(w) ? Number(w) : null;
  }
}
