/**
 * The colour page split into its grey plane (red ink turned white) and its red channel, sixteen
 * pixels at a time in WebAssembly SIMD (docs/ocr.md, "Huge pages for the children, and the split
 * in SIMD"). The same arithmetic as planes.ts's JavaScript loop, which stays the reference (and
 * the fallback where WebAssembly SIMD is missing): luminance (r·19595 + g·38470 + b·7471 + 32768)
 * >> 16, and a pixel turned white where red is at least 110 and leads the larger of green and blue
 * by at least 45. The module is written here byte by byte (no compiler, nothing downloaded);
 * planes.test.ts checks it against the JavaScript on every colour a pixel can have, and
 * tests/ocr-children.test.ts on a rendered page. Its memory is shared by the documents of the
 * process: a call copies in, splits and copies out without yielding.
 */

/** Pixels split per call: the input block (3 bytes a pixel) and both outputs live in the module's memory. */
export const SIMD_BLOCK = 1 << 16;
const IN = 0;
const GRAY = SIMD_BLOCK * 3;
const RED = GRAY + SIMD_BLOCK;
const PAGES = Math.ceil((RED + SIMD_BLOCK) / 65536);

/** Unsigned LEB128. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const simd = (op: number) => [0xfd, ...leb(op)];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const str = (s: string) => [...leb(s.length), ...Buffer.from(s, 'latin1')];

// Locals: params 0 src, 1 pixels, 2 gray, 3 red, 4 min red, 5 enable (0 or 1); 6 end (i32), 7 count (i32);
// v128: 8 v0, 9 v1, 10 v2, 11 r, 12 g, 13 b, 14 mask, 15 enable mask, 16 min-red vector.
const [SRC, N, GR, RD, MINRED, EN, END, COUNT, V0, V1, V2, R, G, B, M, ENV, MINV] = Array.from({ length: 17 }, (_, i) => i);
const get = (l: number) => [0x20, l];
const set = (l: number) => [0x21, l];
const load = (off: number) => [...get(SRC), ...simd(0x00), 0, ...leb(off)];
const i8x16 = (bytes: number[]) => [...simd(0x0c), ...bytes];
const splat8 = (v: number) => i8x16(Array(16).fill(v & 0xff));
const splat16 = (v: number) => i8x16(Array.from({ length: 16 }, (_, i) => (i & 1 ? v >> 8 : v) & 0xff));
const splat32 = (v: number) => i8x16(Array.from({ length: 16 }, (_, i) => (v >>> ((i & 3) * 8)) & 0xff));
const shuffle = (lanes: number[]) => [...simd(0x0d), ...lanes];
/** Channel c (0 r, 1 g, 2 b) of the 16 pixels in v0 v1 v2: 11 lanes from v0 and v1, then the rest from v2. */
function channel(c: number): number[] {
  const pos = Array.from({ length: 16 }, (_, k) => c + 3 * k);
  const first = pos.map((p, k) => (p < 32 ? p : k & 15)).slice(0, 16);
  const second = pos.map((p, k) => (p < 32 ? k : p - 32 + 16));
  return [...get(V0), ...get(V1), ...shuffle(first), ...get(V2), ...shuffle(second)];
}
/** One of the four groups of four pixels' luminance as i32x4: `half` picks 8 of 16 (0 low, 1 high), `part` 4 of those 8. */
function lum4(half: number, part: number): number[] {
  const ext = simd(half ? 0x8a : 0x89); // i16x8.extend_{low,high}_i8x16_u
  const mul = simd(part ? 0xbf : 0xbe); // i32x4.extmul_{low,high}_i16x8_u
  const term = (ch: number, k: number) => [...get(ch), ...ext, ...splat16(k), ...mul];
  return [
    ...term(R, 19595),
    ...term(G, 38470),
    ...simd(0xae), // i32x4.add
    ...term(B, 7471),
    ...simd(0xae),
    ...splat32(32768),
    ...simd(0xae),
    0x41,
    16, // i32.const 16
    ...simd(0xad), // i32x4.shr_u
  ];
}

const body: number[] = [
  // end = src + pixels * 3; count = 0; enable mask; min-red vector
  ...get(SRC),
  ...get(N),
  0x41,
  3,
  0x6c, // i32.mul
  0x6a, // i32.add
  ...set(END),
  0x41,
  0,
  ...get(EN),
  0x6b, // i32.sub: 0 - enable = 0 or -1
  ...simd(0x0f), // i8x16.splat
  ...set(ENV),
  ...get(MINRED),
  ...simd(0x0f),
  ...set(MINV),
  0x02,
  0x40, // block
  0x03,
  0x40, // loop
  ...get(SRC),
  ...get(END),
  0x4f, // i32.ge_u
  0x0d,
  1, // br_if 1
  ...load(0),
  ...set(V0),
  ...load(16),
  ...set(V1),
  ...load(32),
  ...set(V2),
  ...channel(0),
  ...set(R),
  ...channel(1),
  ...set(G),
  ...channel(2),
  ...set(B),
  // mask = (sat(r - max(g, b)) >= 45) & (r >= min red) & enable
  ...get(R),
  ...get(G),
  ...get(B),
  ...simd(0x79), // i8x16.max_u
  ...simd(0x73), // i8x16.sub_sat_u
  ...splat8(45),
  ...simd(0x2c), // i8x16.ge_u
  ...get(R),
  ...get(MINV),
  ...simd(0x2c),
  ...simd(0x4e), // v128.and
  ...get(ENV),
  ...simd(0x4e),
  ...set(M),
  // count += popcnt(bitmask(mask))
  ...get(COUNT),
  ...get(M),
  ...simd(0x64), // i8x16.bitmask
  0x69, // i32.popcnt
  0x6a,
  ...set(COUNT),
  // gray: the luminance of 16 pixels narrowed to bytes, or 255 under the mask
  ...get(GR),
  ...lum4(0, 0),
  ...lum4(0, 1),
  ...simd(0x86), // i16x8.narrow_i32x4_u
  ...lum4(1, 0),
  ...lum4(1, 1),
  ...simd(0x86),
  ...simd(0x66), // i8x16.narrow_i16x8_u
  ...get(M),
  ...simd(0x50), // v128.or
  ...simd(0x0b),
  0,
  0, // v128.store
  ...get(RD),
  ...get(R),
  ...simd(0x0b),
  0,
  0,
  // src += 48; gray += 16; red += 16
  ...get(SRC),
  0x41,
  48,
  0x6a,
  ...set(SRC),
  ...get(GR),
  0x41,
  16,
  0x6a,
  ...set(GR),
  ...get(RD),
  0x41,
  16,
  0x6a,
  ...set(RD),
  0x0c,
  0, // br 0
  0x0b, // end loop
  0x0b, // end block
  ...get(COUNT),
  0x0b, // end function
];
const locals = [2, 2, 0x7f, 9, 0x7b]; // 2 local groups: 2 × i32, 9 × v128
const func = [...locals, ...body];

const MODULE = Uint8Array.from([
  0x00,
  0x61,
  0x73,
  0x6d,
  1,
  0,
  0,
  0,
  ...section(1, [1, 0x60, 6, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f]),
  ...section(3, [1, 0]),
  ...section(5, [1, 0, ...leb(PAGES)]),
  ...section(7, [2, ...str('split'), 0, 0, ...str('memory'), 2, 0]),
  ...section(10, [1, ...leb(func.length), ...func]),
]);

/** Off: planes.ts's JavaScript loop does all the work (the reference; tests and the bench compare the two). */
let enabled = true;
export function useSimd(on: boolean): void {
  enabled = on;
}

type SplitFn = (src: number, pixels: number, gray: number, red: number, minRed: number, enable: number) => number;
let instance: { split: SplitFn; mem: Uint8Array } | null | undefined;

/** The module, instantiated once per process; null where WebAssembly SIMD is not available. */
function simdSplit(): { split: SplitFn; mem: Uint8Array } | null {
  if (!enabled) return null;
  if (instance !== undefined) return instance;
  try {
    if (!WebAssembly.validate(MODULE)) instance = null;
    else {
      const exports = new WebAssembly.Instance(new WebAssembly.Module(MODULE)).exports as { split: SplitFn; memory: WebAssembly.Memory };
      instance = { split: exports.split, mem: new Uint8Array(exports.memory.buffer) };
    }
  } catch {
    instance = null;
  }
  return instance;
}

let pixelsSplit = 0;
/** Pixels split in SIMD by this process so far (tests and the bench check the split went through it). */
export function simdPixels(): number {
  return pixelsSplit;
}

/** Whether the split runs in WebAssembly SIMD here (on, and supported). */
export function simdAvailable(): boolean {
  return simdSplit() !== null;
}

/**
 * `n` RGB pixels of `src` from byte `from` split into `gray` (and `red` when given) from pixel `at`,
 * as planes.ts's splitRgb; returns the pixels turned white. Only whole groups of 16 pixels are
 * split here: the count split is returned in `done`, the rest is left to the caller.
 */
export function splitSimd(
  src: Uint8Array,
  from: number,
  n: number,
  gray: Uint8Array,
  red: Uint8Array | null,
  at: number,
  minRed: number,
): { done: number; reds: number } {
  const m = simdSplit();
  if (!m) return { done: 0, reds: 0 };
  const whole = n - (n % 16);
  let reds = 0;
  for (let k = 0; k < whole; k += SIMD_BLOCK) {
    const count = Math.min(SIMD_BLOCK, whole - k);
    m.mem.set(src.subarray(from + k * 3, from + (k + count) * 3), IN);
    reds += m.split(IN, count, GRAY, RED, minRed > 255 ? 0 : minRed, minRed > 255 ? 0 : 1);
    gray.set(m.mem.subarray(GRAY, GRAY + count), at + k);
    if (red) red.set(m.mem.subarray(RED, RED + count), at + k);
  }
  pixelsSplit += whole;
  return { done: whole, reds };
}
