/**
 * A page as the reading uses it (docs/ocr.md, "How a page is read"): its grey plane, red ink
 * already turned white, and the red channel of a colour page for the signer band — split pixel by
 * pixel as the image arrives. A PDF page comes from pdftoppm as a 26 MB PPM (A4 at 300 dpi, in
 * colour); it is split chunk by chunk as the pipe delivers it, into two planes of one byte a pixel
 * allocated from the PPM header's size, so the colour page is never held, joined or copied. A
 * decoded photo (raw RGB from sharp) is split by the same code. The split runs in WebAssembly SIMD
 * (split-simd.ts); the loops here are its reference and do the few pixels it leaves.
 */
import { OcrTooLarge } from './errors.ts';
import { type GrayImage, PnmError, type RgbImage, type Steps } from './raster.ts';
import { splitSimd } from './split-simd.ts';

export interface PagePlanes {
  width: number;
  height: number;
  /** Luminance (Rec. 601), red ink turned white when red removal is on. */
  gray: GrayImage;
  /** The red channel of a colour page (the signer band's source: a red seal is as light as paper there); null for a grey page or when not kept. */
  red: GrayImage | null;
  /** Share of pixels turned white by red removal. */
  redFraction: number;
}

export interface SplitOptions {
  /** Turn pixels where red dominates white (default true). */
  removeRed?: boolean;
  /** Keep the red channel of a colour page (default true). */
  keepRed?: boolean;
}

/**
 * Plane buffers given back once a page is read (releasePlanes), reused by the next page of the same
 * size: a fresh 8.7 MB buffer costs its page faults (the kernel zeroes every page on first touch)
 * and its collection, twice a page. A few are kept, and dropped after a while unused.
 */
const SPARE_MAX = 4;
const SPARE_IDLE_MS = 30_000;
const spare: Uint8Array[] = [];
let spareTimer: NodeJS.Timeout | null = null;

function plane(n: number): Uint8Array {
  const i = spare.findIndex((b) => b.length === n);
  return i < 0 ? new Uint8Array(n) : spare.splice(i, 1)[0];
}

/**
 * The planes' buffers given back for the next page. Only when nothing holds them any more: the
 * page's reading is over and every child that was given them has exited (run.ts settles then).
 */
export function releasePlanes(...pages: PagePlanes[]): void {
  for (const p of pages) for (const img of [p.gray, p.red]) if (img && spare.length < SPARE_MAX && !spare.includes(img.data)) spare.push(img.data);
  if (spareTimer) spareTimer.refresh();
  else {
    spareTimer = setTimeout(() => {
      spare.length = 0;
      spareTimer = null;
    }, SPARE_IDLE_MS);
    spareTimer.unref();
  }
}

/** raster.ts's red removal thresholds: red leads the larger of green and blue by 45, and is at least 110. */
const MARGIN = 45;
const MIN_RED = 110;

export function isPlanes(x: unknown): x is PagePlanes {
  return typeof x === 'object' && x !== null && 'gray' in x && 'redFraction' in x;
}

/** Writes the pixels of a W×H image with 1 or 3 channels, in any number of parts, into its planes. */
export class PlaneWriter {
  readonly width: number;
  readonly height: number;
  private readonly channels: 1 | 3;
  private readonly removeRed: boolean;
  private readonly gray: Uint8Array;
  private readonly red: Uint8Array | null;
  private readonly total: number;
  /** Pixels written so far. */
  private i = 0;
  private reds = 0;
  /** The bytes of a pixel split between two parts. */
  private readonly carry = new Uint8Array(3);
  private carried = 0;

  constructor(width: number, height: number, channels: 1 | 3, opts: SplitOptions = {}) {
    this.width = width;
    this.height = height;
    this.channels = channels;
    this.removeRed = opts.removeRed ?? true;
    this.total = width * height;
    // Every byte is written before finish() hands them over: a reused buffer needs no clearing.
    this.gray = plane(this.total);
    this.red = channels === 3 && (opts.keepRed ?? true) ? plane(this.total) : null;
  }

  get complete(): boolean {
    return this.i === this.total;
  }

  /** Bytes past the image's end are ignored. */
  write(src: Uint8Array): void {
    if (this.channels === 1) {
      const take = Math.min(src.length, this.total - this.i);
      this.gray.set(take === src.length ? src : src.subarray(0, take), this.i);
      this.i += take;
      return;
    }
    let j = 0;
    if (this.carried) {
      while (this.carried < 3 && j < src.length) this.carry[this.carried++] = src[j++];
      if (this.carried < 3) return;
      this.carried = 0;
      if (this.i < this.total) this.rgb(this.carry, 0, 1);
    }
    const whole = Math.min(Math.floor((src.length - j) / 3), this.total - this.i);
    this.rgb(src, j, whole);
    j += whole * 3;
    if (this.i < this.total) while (j < src.length) this.carry[this.carried++] = src[j++];
  }

  /** `n` pixels of `src` from byte `from`, luminance and red removal as raster.ts's toGray. */
  private rgb(src: Uint8Array, from: number, n: number): void {
    const { gray, red } = this;
    const end = this.i + n;
    // Sixteen pixels at a time in WebAssembly SIMD (split-simd.ts), the few left over here.
    const simd = n >= 16 ? splitSimd(src, from, n, gray, red, this.i, this.removeRed ? MIN_RED : 256) : { done: 0, reds: 0 };
    const at = this.i + simd.done;
    const j = from + simd.done * 3;
    this.reds += simd.reds + (red ? splitRgb(src, j, gray, red, at, end, this.removeRed) : grayRgb(src, j, gray, at, end, this.removeRed));
    this.i = end;
  }

  finish(): PagePlanes {
    if (!this.complete) throw new PnmError(`truncated image (${this.i} of ${this.total} pixels)`);
    const { width, height } = this;
    return {
      width,
      height,
      gray: { width, height, channels: 1, data: this.gray },
      red: this.red ? { width, height, channels: 1, data: this.red } : null,
      redFraction: this.total ? this.reds / this.total : 0,
    };
  }
}

/** Luminance (red removed) into `gray` and the red channel into `red`, pixels `i`…`end`; returns the pixels turned white. */
export function splitRgb(src: Uint8Array, j: number, gray: Uint8Array, red: Uint8Array, i: number, end: number, removeRed: boolean): number {
  const minRed = removeRed ? MIN_RED : 256;
  let reds = 0;
  for (; i < end; i++, j += 3) {
    const r = src[j];
    const g = src[j + 1];
    const b = src[j + 2];
    red[i] = r;
    if (r >= minRed && r - (g > b ? g : b) >= MARGIN) {
      gray[i] = 255;
      reds++;
    } else gray[i] = (r * 19595 + g * 38470 + b * 7471 + 32768) >> 16;
  }
  return reds;
}

/** splitRgb without the red channel. */
function grayRgb(src: Uint8Array, j: number, gray: Uint8Array, i: number, end: number, removeRed: boolean): number {
  const minRed = removeRed ? MIN_RED : 256;
  let reds = 0;
  for (; i < end; i++, j += 3) {
    const r = src[j];
    const g = src[j + 1];
    const b = src[j + 2];
    if (r >= minRed && r - (g > b ? g : b) >= MARGIN) {
      gray[i] = 255;
      reds++;
    } else gray[i] = (r * 19595 + g * 38470 + b * 7471 + 32768) >> 16;
  }
  return reds;
}

/** An image already decoded (sharp, page-image.ts) split into planes, a turn of the event loop allowed every 2^18 pixels. */
export function* splitPlanesSteps(img: RgbImage | GrayImage, opts: SplitOptions = {}): Steps<PagePlanes> {
  const w = new PlaneWriter(img.width, img.height, img.channels, opts);
  const step = 0x40000 * img.channels;
  for (let at = 0; at < img.data.length; at += step) {
    if (at) yield;
    w.write(img.data.subarray(at, at + step));
  }
  return w.finish();
}

const MAX_HEADER = 1024;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0b || c === 0x0c;

interface PnmHeader {
  channels: 1 | 3;
  width: number;
  height: number;
  /** Bytes of the header, the single whitespace after maxval included. */
  length: number;
}

/** The header of a binary PPM (P6) or PGM (P5) with maxval 255; null while it is still incomplete. */
export function pnmHeader(buf: Uint8Array): PnmHeader | null {
  let pos = 0;
  const tokens: string[] = [];
  while (tokens.length < 4) {
    while (pos < buf.length && (isSpace(buf[pos]) || buf[pos] === 0x23)) {
      if (buf[pos] === 0x23) while (pos < buf.length && buf[pos] !== 0x0a) pos++;
      else pos++;
    }
    const start = pos;
    while (pos < buf.length && !isSpace(buf[pos]) && buf[pos] !== 0x23 && pos - start < 16) pos++;
    if (pos >= buf.length) return incomplete(buf);
    tokens.push(String.fromCharCode(...buf.subarray(start, pos)));
    if (tokens.length === 1 && tokens[0] !== 'P5' && tokens[0] !== 'P6') throw new PnmError(`not a binary PPM/PGM (${JSON.stringify(tokens[0].slice(0, 4))})`);
  }
  const [magic, w, h, maxval] = tokens;
  const width = Number(w);
  const height = Number(h);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new PnmError('bad PNM size');
  if (maxval !== '255') throw new PnmError(`unsupported PNM maxval ${maxval}`);
  return { channels: magic === 'P6' ? 3 : 1, width, height, length: pos + 1 };
}

function incomplete(buf: Uint8Array): null {
  if (buf.length > MAX_HEADER) throw new PnmError('no PNM header');
  return null;
}

/**
 * A PPM/PGM arriving in chunks (pdftoppm's standard output), split into planes as it comes: the
 * header is read from the first bytes, the planes allocated from its size (refused over
 * `maxPixels`), and every later chunk written into them and dropped.
 */
export class PnmPlanes {
  private head: Uint8Array = new Uint8Array(0);
  private writer: PlaneWriter | null = null;

  constructor(private readonly opts: SplitOptions & { maxPixels: number }) {}

  push(chunk: Uint8Array): void {
    if (this.writer) {
      this.writer.write(chunk);
      return;
    }
    const buf = this.head.length ? concat(this.head, chunk) : chunk;
    const h = pnmHeader(buf);
    if (!h) {
      this.head = buf === chunk ? new Uint8Array(chunk) : buf;
      return;
    }
    if (h.width * h.height > this.opts.maxPixels)
      throw new OcrTooLarge(`trang quá lớn — the page is ${h.width}×${h.height} px, over ${this.opts.maxPixels} pixels`);
    this.head = new Uint8Array(0);
    this.writer = new PlaneWriter(h.width, h.height, h.channels, this.opts);
    this.writer.write(buf.subarray(h.length));
  }

  end(): PagePlanes {
    if (!this.writer) throw new PnmError(this.head.length ? 'truncated PNM header' : 'empty image');
    return this.writer.finish();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
