/**
 * Is OCR possible on this machine? tesseract must run and have the `vie` language
 * (Debian: tesseract-ocr + tesseract-ocr-vie); PDFs also need poppler (poppler-utils: pdftoppm,
 * pdfinfo, pdftotext, pdfimages). The answer says why not, in Vietnamese then English, for the
 * operator's status page and for the reason attached to a document that could not be read.
 */
import { runTool } from './run.ts';

export interface OcrTools {
  /** Program names or paths; found through env.PATH when bare. */
  tesseract?: string;
  pdftoppm?: string;
  pdfinfo?: string;
  pdftotext?: string;
  pdfimages?: string;
  /** Environment of the children (PATH, TESSDATA_PREFIX); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export type OcrProbe =
  | {
      available: true;
      /** "5.3.0" */
      version: string;
      /** Installed tesseract languages, e.g. ["eng", "osd", "vie"]. */
      langs: string[];
      /** poppler's tools run, so PDFs can be rendered and checked. */
      pdf: boolean;
      /** Why PDFs cannot be read, when pdf is false. */
      pdfReason?: string;
    }
  | { available: false; reason: string };

export const REASON_NO_TESSERACT = 'không có OCR: thiếu tesseract-ocr — no OCR: tesseract is not installed';
export const REASON_NO_VIE = 'không có OCR: thiếu tesseract-ocr-vie — no OCR: the Vietnamese language data (vie.traineddata) is not installed';
export const REASON_NO_POPPLER = 'không đọc được PDF quét: thiếu poppler-utils — scanned PDFs cannot be rendered: poppler-utils (pdftoppm) is not installed';

const PROBE_TIMEOUT_MS = 10_000;

export async function probeOcr(tools: OcrTools = {}): Promise<OcrProbe> {
  const tesseract = tools.tesseract ?? 'tesseract';
  const env = tools.env ?? process.env;
  const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  let version: string;
  let langs: string[];
  try {
    const v = await runTool(tesseract, ['--version'], { env, signal, maxStdout: 64 * 1024 });
    // tesseract 4 prints its version on stderr, 5 on stdout.
    const m = /tesseract\s+v?(\d+\.\d+[^\s]*)/i.exec(`${v.stdout.toString('utf8')}\n${v.stderr}`);
    if (v.code !== 0 || !m) return { available: false, reason: `${REASON_NO_TESSERACT} (tesseract --version: exit ${v.code})` };
    version = m[1];
    const l = await runTool(tesseract, ['--list-langs'], { env, signal, maxStdout: 64 * 1024 });
    langs = `${l.stdout.toString('utf8')}\n${l.stderr}`
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => /^[A-Za-z0-9_-]+$/.test(s))
      .sort();
  } catch (err) {
    return { available: false, reason: `${REASON_NO_TESSERACT} (${(err as Error).message})` };
  }
  if (!langs.includes('vie')) return { available: false, reason: REASON_NO_VIE };
  let pdf = true;
  try {
    const p = await runTool(tools.pdftoppm ?? 'pdftoppm', ['-v'], { env, signal, maxStdout: 64 * 1024 });
    if (p.code !== 0) pdf = false;
  } catch {
    pdf = false;
  }
  return pdf ? { available: true, version, langs, pdf } : { available: true, version, langs, pdf, pdfReason: REASON_NO_POPPLER };
}

/** probeOcr, remembered for a minute per tool set (every document asks). */
const cache = new Map<string, { at: number; probe: Promise<OcrProbe> }>();

export function probeOcrCached(tools: OcrTools = {}): Promise<OcrProbe> {
  const env = tools.env ?? process.env;
  const key = JSON.stringify([tools.tesseract, tools.pdftoppm, env.PATH, env.TESSDATA_PREFIX]);
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < 60_000) return hit.probe;
  const probe = probeOcr(tools);
  cache.set(key, { at: Date.now(), probe });
  return probe;
}
