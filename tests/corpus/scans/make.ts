/**
 * The degraded-scan corpus (tests/corpus/scans, issue 20): real documents of tests/corpus/real
 * with a text layer, rendered to images (pdftoppm) and degraded the ways paper mail arrives — a
 * sheet turned on the scanner, noise, heavy JPEG, low resolution, a red seal over the signer's
 * name, a phone photo (perspective, uneven light), pages sideways or upside down — then written as
 * image-only PDFs (scanners) or JPEGs (phones). Seeded: the same run writes the same bytes.
 * The expected fields of each are those of its source in tests/corpus/real/labels.json; the real
 * scans already in that corpus are listed in manifest.json beside them.
 *
 *   npx tsx tests/corpus/scans/make.ts        (needs poppler-utils; sharp and pdf-lib from npm)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { prng } from '../../helpers/prng.ts';

const HERE = import.meta.dirname;

export type Degradation = 'skew' | 'noise' | 'jpeg' | 'lowdpi' | 'seal' | 'photo' | 'sideways' | 'upside-down';

export interface ScanCase {
  /** The file written here. */
  file: string;
  /** The corpus document it was made from (its label gives the expected fields). */
  source: string;
  degradations: Degradation[];
  /** What a clerk sees; a real scan is listed with `real: true` and not made. */
  note: string;
  real?: boolean;
}

/** Pages rendered at this resolution before degrading (a 200 dpi office scan). */
const DPI = 200;

export const CASES: ScanCase[] = [
  { file: 'cv-stc-lamdong-464-skew.pdf', source: 'docs/cv-stc-lamdong-464.pdf', degradations: ['skew'], note: 'sheet turned 2.3° on the scanner' },
  { file: 'cv-snv-lamdong-3331-noise.pdf', source: 'docs/cv-snv-lamdong-3331.pdf', degradations: ['noise'], note: 'speckle and grain of a dirty glass' },
  { file: 'cv-stp-lamdong-125-jpeg.pdf', source: 'docs/cv-stp-lamdong-125.pdf', degradations: ['jpeg'], note: 'JPEG quality 20' },
  { file: 'ttr-snv-lamdong-51-lowdpi.pdf', source: 'docs/ttr-snv-lamdong-51.pdf', degradations: ['lowdpi'], note: 'scanned at 120 dpi' },
  { file: 'cv-bnv-11902-seal.pdf', source: 'docs/cv-bnv-11902.pdf', degradations: ['seal'], note: 'red seal stamped over the signer block' },
  {
    file: 'cv-tinhdoan-lamdong-156-photo.jpg',
    source: 'docs/cv-tinhdoan-lamdong-156.pdf',
    degradations: ['photo'],
    note: 'phone photo: perspective, light falling off',
  },
  {
    file: 'gm-hdnd-tuangiao-06-skew-seal.pdf',
    source: 'docs/gm-hdnd-tuangiao-06.pdf',
    degradations: ['skew', 'seal', 'noise'],
    note: 'turned, sealed and noisy',
  },
  {
    file: 'cv-ubnd-quangngai-507-photo.jpg',
    source: 'docs/cv-ubnd-quangngai-507.pdf',
    degradations: ['photo', 'noise'],
    note: 'phone photo with sensor noise',
  },
  { file: 'cd-vpcp-58-scan.pdf', source: 'docs/cd-vpcp-58.pdf', degradations: ['skew', 'jpeg'], note: 'two pages, turned, JPEG quality 35' },
  { file: 'cv-bnv-8151-sideways.pdf', source: 'docs/cv-bnv-8151.pdf', degradations: ['sideways'], note: 'page fed sideways (turned 90° clockwise)' },
  {
    file: 'cv-stp-lamdong-1813-upside-down.jpg',
    source: 'docs/cv-stp-lamdong-1813.pdf',
    degradations: ['upside-down', 'photo'],
    note: 'photographed upside down',
  },
  {
    file: '../real/docs/cv-ubnd-lamdong-4377-ocr.pdf',
    source: 'docs/cv-ubnd-lamdong-4377-ocr.pdf',
    degradations: [],
    note: 'real scan, its own text layer without diacritics',
    real: true,
  },
  {
    file: '../real/docs/ttr-cat-lamdong-298-font.pdf',
    source: 'docs/ttr-cat-lamdong-298-font.pdf',
    degradations: [],
    note: 'real scan, page image turned, text layer of Latin-1 look-alikes',
    real: true,
  },
];

function seedOf(s: string): number {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

interface Raw {
  data: Buffer;
  width: number;
  height: number;
}

function render(pdf: string, page: number, dpi: number, dir: string): Raw {
  const prefix = path.join(dir, `p${page}`);
  execFileSync('pdftoppm', ['-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', pdf, prefix]);
  const ppm = readFileSync(`${prefix}.ppm`);
  // P6 header: magic, width height, maxval, one whitespace byte.
  const header = ppm.subarray(0, 64).toString('latin1');
  const m = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(header);
  if (!m) throw new Error('pdftoppm wrote no P6');
  return { width: Number(m[1]), height: Number(m[2]), data: ppm.subarray(m[0].length) };
}

/** Where the signer's name is drawn on a page (pdftotext -bbox), in pixels at `dpi`. */
function signerBox(pdf: string, page: number, name: string, dpi: number): { x: number; y: number } | null {
  const html = execFileSync('pdftotext', ['-bbox', '-f', String(page), '-l', String(page), pdf, '-'], { encoding: 'utf8' });
  const last = name.split(/\s+/).pop()?.normalize('NFC');
  let at: { x: number; y: number } | null = null;
  for (const m of html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)<\/word>/g))
    if (m[3].normalize('NFC') === last) at = { x: (Number(m[1]) * dpi) / 72, y: (Number(m[2]) * dpi) / 72 };
  return at;
}

function sealSvg(r: number, rand: () => number): Buffer {
  const d = 2 * r + 8;
  const c = d / 2;
  const text = 'ỦY BAN NHÂN DÂN • TỈNH LÂM ĐỒNG •';
  const turn = Math.round(rand() * 360);
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${d}" height="${d}">
  <g opacity="0.78" fill="none" stroke="#d8222a">
    <circle cx="${c}" cy="${c}" r="${r}" stroke-width="${r * 0.06}"/>
    <circle cx="${c}" cy="${c}" r="${r * 0.66}" stroke-width="${r * 0.03}"/>
  </g>
  <defs><path id="ring" d="M ${c - r * 0.8},${c} a ${r * 0.8},${r * 0.8} 0 1,1 ${r * 1.6},0 a ${r * 0.8},${r * 0.8} 0 1,1 ${-r * 1.6},0"/></defs>
  <g transform="rotate(${turn} ${c} ${c})" opacity="0.78"><text font-family="DejaVu Sans" font-weight="bold" font-size="${r * 0.2}" fill="#d8222a"><textPath href="#ring">${text}</textPath></text></g>
  <polygon opacity="0.78" fill="#d8222a" points="${star(c, c, r * 0.3)}"/>
</svg>`);
}

function star(cx: number, cy: number, r: number): string {
  const pts: string[] = [];
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    const rr = i % 2 ? r * 0.4 : r;
    pts.push(`${(cx + rr * Math.cos(a)).toFixed(1)},${(cy + rr * Math.sin(a)).toFixed(1)}`);
  }
  return pts.join(' ');
}

/** Solves the 8 unknowns of the homography taking `from` corners to `to` corners. */
function homography(from: number[][], to: number[][]): number[] {
  const A: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i];
    const [u, v] = to[i];
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y]);
    b.push(u);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y]);
    b.push(v);
  }
  // Gaussian elimination with partial pivoting.
  for (let col = 0; col < 8; col++) {
    let p = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(A[r][col]) > Math.abs(A[p][col])) p = r;
    [A[col], A[p]] = [A[p], A[col]];
    [b[col], b[p]] = [b[p], b[col]];
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const f = A[r][col] / A[col][col];
      for (let k = col; k < 8; k++) A[r][k] -= f * A[col][k];
      b[r] -= f * b[col];
    }
  }
  return b.map((v, i) => v / A[i][i]);
}

/** A phone photo of the sheet: perspective (the phone held at an angle), light falling off, a dark table around. */
function photo(img: Raw, rand: () => number): Raw {
  const { width: W, height: H } = img;
  const j = () => (0.03 + rand() * 0.05) * W;
  // Where the page's corners land in the photo (destination), and the inverse map used to sample.
  const dst = [
    [j(), j()],
    [W - j(), j() * 0.6],
    [W - j() * 0.5, H - j()],
    [j() * 1.4, H - j() * 0.8],
  ];
  const h = homography(dst, [
    [0, 0],
    [W, 0],
    [W, H],
    [0, H],
  ]);
  const out = Buffer.alloc(W * H * 3);
  const light = 0.75 + rand() * 0.1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const den = h[6] * x + h[7] * y + 1;
      const sx = (h[0] * x + h[1] * y + h[2]) / den;
      const sy = (h[3] * x + h[4] * y + h[5]) / den;
      const o = (y * W + x) * 3;
      // Light falls off from the top left corner.
      const shade = 1 - (1 - light) * ((x / W + y / H) / 2);
      if (sx < 0 || sy < 0 || sx >= W - 1 || sy >= H - 1) {
        out[o] = 70;
        out[o + 1] = 62;
        out[o + 2] = 55;
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < 3; c++) {
        const i = (y0 * W + x0) * 3 + c;
        const v = img.data[i] * (1 - fx) * (1 - fy) + img.data[i + 3] * fx * (1 - fy) + img.data[i + W * 3] * (1 - fx) * fy + img.data[i + W * 3 + 3] * fx * fy;
        // Warm paper tone under indoor light.
        out[o + c] = Math.max(0, Math.min(255, Math.round(v * shade * [1, 0.97, 0.9][c])));
      }
    }
  }
  return { data: out, width: W, height: H };
}

function noise(img: Raw, rand: () => number): Raw {
  const out = Buffer.from(img.data);
  for (let i = 0; i < out.length; i += 3) {
    const g = (rand() + rand() + rand() - 1.5) * 40;
    const speck = rand() < 0.002 ? -160 : 0;
    for (let c = 0; c < 3; c++) out[i + c] = Math.max(0, Math.min(255, Math.round(out[i + c] + g + speck)));
  }
  return { ...img, data: out };
}

async function degrade(c: ScanCase, pdf: string, page: number, dir: string, label: { signerName: string | null }): Promise<{ jpeg: Buffer; dpi: number }> {
  const rand = prng(seedOf(`${c.file}#${page}`));
  const low = c.degradations.includes('lowdpi');
  const dpi = low ? 120 : DPI;
  let img = render(pdf, page, dpi, dir);
  if (c.degradations.includes('seal') && label.signerName) {
    const at = signerBox(pdf, page, label.signerName, dpi);
    if (at) {
      const r = Math.round(0.17 * dpi);
      const svg = sealSvg(r, rand);
      const left = Math.max(0, Math.round(at.x - r * 1.2));
      const top = Math.max(0, Math.round(at.y - r * 1.3));
      const buf = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
        .composite([{ input: svg, left, top }])
        .removeAlpha()
        .raw()
        .toBuffer();
      img = { ...img, data: buf };
    }
  }
  if (c.degradations.includes('noise')) img = noise(img, rand);
  if (c.degradations.includes('photo')) img = photo(img, rand);
  let s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
  if (c.degradations.includes('skew')) {
    const angle = (rand() < 0.5 ? -1 : 1) * (1.5 + rand() * 1.5);
    s = sharp(await s.rotate(angle, { background: '#ffffff' }).png().toBuffer());
  }
  if (c.degradations.includes('sideways')) s = sharp(await s.rotate(90).png().toBuffer());
  if (c.degradations.includes('upside-down')) s = sharp(await s.rotate(180).png().toBuffer());
  if (c.degradations.includes('photo')) s = s.blur(0.6);
  const quality = c.degradations.includes('jpeg') ? (c.file.startsWith('cd-') ? 35 : 20) : 55;
  // Scanners write grey; phones write colour (the seal keeps its red).
  const grey = !c.degradations.includes('photo') && !c.degradations.includes('seal');
  if (grey) s = s.greyscale();
  return { jpeg: await s.jpeg({ quality, mozjpeg: false, chromaSubsampling: '4:2:0' }).toBuffer(), dpi };
}

async function make(c: ScanCase, labels: Map<string, { signerName: string | null }>): Promise<void> {
  const pdf = path.join(HERE, '..', 'real', c.source);
  const pages = Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1] ?? 1);
  const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-scans-'));
  try {
    const label = labels.get(c.source) ?? { signerName: null };
    const images: Array<{ jpeg: Buffer; dpi: number }> = [];
    for (let p = 1; p <= Math.min(pages, 2); p++) images.push(await degrade(c, pdf, p, dir, label));
    const out = path.join(HERE, c.file);
    if (c.file.endsWith('.jpg')) {
      writeFileSync(out, await sharp(images[0].jpeg).withMetadata({ density: images[0].dpi }).jpeg({ quality: 55 }).toBuffer());
      return;
    }
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.setProducer('vanthu tests/corpus/scans/make.ts');
    doc.setCreationDate(new Date('2026-01-01T00:00:00Z'));
    doc.setModificationDate(new Date('2026-01-01T00:00:00Z'));
    for (const im of images) {
      const embedded = await doc.embedJpg(im.jpeg);
      const w = (embedded.width * 72) / im.dpi;
      const h = (embedded.height * 72) / im.dpi;
      doc.addPage([w, h]).drawImage(embedded, { x: 0, y: 0, width: w, height: h });
    }
    writeFileSync(out, await doc.save({ useObjectStreams: false }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const labels = new Map(
    (JSON.parse(readFileSync(path.join(HERE, '..', 'real', 'labels.json'), 'utf8')) as Array<{ file: string; fields: { signerName: string | null } }>).map(
      (l) => [l.file, l.fields] as const,
    ),
  );
  for (const c of CASES) {
    if (c.real) continue;
    await make(c, labels);
    console.log(c.file);
  }
  writeFileSync(path.join(HERE, 'manifest.json'), `${JSON.stringify(CASES, null, 2)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();
