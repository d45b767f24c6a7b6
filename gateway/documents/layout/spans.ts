/**
 * Where each field of a laid-out document was read: the lines of its Decree 30 band (layout/bands.ts)
 * that hold the value, with their place on the page (BlockLine.at), so the web console can draw a box
 * over the document where the clerk should look (docs/console.md, "Review item"). A value is looked
 * for in the band the reader takes it from — number and issuer in the left header, date in the right
 * one, type and trích yếu in the title (or the "V/v" under the number), signer in the closing,
 * deadline in the body — and only when it is not there (a value the clerk typed, a text read
 * without bands) anywhere in the document. Letters are compared without diacritics, case or spaces.
 */
import { foldDiacritics } from '../text.ts';
import { emptyBlocks, type BlockLine, type Blocks, type PageLayout } from './types.ts';

export type SpanField = 'notation' | 'issuer' | 'issuedDate' | 'typeName' | 'subject' | 'signer' | 'dueDate';

export interface Span {
  /** 0-based page; PDF units, y the baseline (upwards); size the font size. */
  page: number;
  x0: number;
  x1: number;
  y: number;
  size: number;
  text: string;
  /** Index of the line in the document's lines (Blocks in reading order), for a text view. */
  line: number;
}

export interface FieldSource {
  /** The band it was found in; null: found outside the band the reader takes the field from. */
  band: keyof Omit<Blocks, 'from'> | null;
  spans: Span[];
}

type Band = keyof Omit<Blocks, 'from'>;
const ORDER: Band[] = ['headerLeft', 'headerRight', 'title', 'body', 'closingLeft', 'closingRight'];
const BANDS: Record<SpanField, Band[]> = {
  notation: ['headerLeft', 'headerRight'],
  issuer: ['headerLeft'],
  issuedDate: ['headerRight', 'headerLeft'],
  typeName: ['title'],
  subject: ['title', 'headerLeft'],
  signer: ['closingRight'],
  dueDate: ['body'],
};

/** Folded, without spaces: "ỦY BAN  NHÂN dân" → "uybannhandan". */
const squeeze = (s: string) => foldDiacritics(s).replace(/\s+/g, '');
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What to look for: a date as Vietnamese documents write it, anything else as it reads. */
function needle(field: SpanField, value: string): RegExp | null {
  const v = value.normalize('NFC').trim();
  if (!v) return null;
  if (field === 'issuedDate' || field === 'dueDate') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    if (!m) return null;
    const [, y, mo, d] = m;
    const dd = `0?${Number(d)}`;
    const mm = `0?${Number(mo)}`;
    return new RegExp(`ngay${dd}thang${mm}nam${y}|(?<!\\d)${dd}[/.-]${mm}[/.-]${y}`);
  }
  const s = squeeze(field === 'subject' ? v.replace(/^(v\/v|về việc)\s*/i, '') : v);
  return s.length >= 2 ? new RegExp(escapeRegExp(s)) : null;
}

/** Lines of the band that are each a piece of the value (an issuer whose locality was completed, a summary cut short). */
function pieces(lines: Indexed[], field: SpanField, value: string): Indexed[] {
  if (field === 'issuedDate' || field === 'dueDate') return [];
  const whole = squeeze(value);
  return lines.filter((l) => {
    const s = squeeze(l.line.text);
    return s.length >= 6 && whole.includes(s);
  });
}

interface Indexed {
  band: Band;
  index: number;
  line: BlockLine;
}

/** The shortest run of consecutive lines of `lines` whose joined text holds the needle. */
function shortestRun(lines: Indexed[], re: RegExp): Indexed[] | null {
  const folded = lines.map((l) => squeeze(l.line.text));
  let best: Indexed[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    let joined = '';
    for (let j = i; j < lines.length && j < i + 12; j++) {
      if (j > i && lines[j].band !== lines[j - 1].band) break;
      joined += folded[j];
      if (re.test(joined)) {
        if (!best || j - i + 1 < best.length) best = lines.slice(i, j + 1);
        break;
      }
    }
  }
  return best;
}

const nonEmpty = <T>(xs: T[]): T[] | null => (xs.length ? xs : null);

/** The lines of the bands in reading order, each with its index in that order. */
export function documentLines(blocks: Blocks): Indexed[] {
  let index = 0;
  return ORDER.flatMap((band) => blocks[band].map((line) => ({ band, index: index++, line })));
}

export function fieldSources(blocks: Blocks, values: Partial<Record<SpanField, string | null>>): Partial<Record<SpanField, FieldSource>> {
  const all = documentLines(blocks);
  const out: Partial<Record<SpanField, FieldSource>> = {};
  for (const field of Object.keys(BANDS) as SpanField[]) {
    const re = needle(field, values[field] ?? '');
    if (!re) continue;
    const own = all.filter((l) => BANDS[field].includes(l.band));
    const inBand = shortestRun(own, re) ?? (blocks.from === 'layout' ? nonEmpty(pieces(own, field, values[field] ?? '')) : null);
    const found = inBand ?? shortestRun(all, re);
    if (!found) continue;
    out[field] = {
      band: inBand ? inBand[0].band : null,
      spans: found.map(({ index, line }) => ({
        page: line.at?.page ?? 0,
        x0: line.at?.x0 ?? 0,
        x1: line.at?.x1 ?? 0,
        y: line.at?.y ?? 0,
        size: line.at?.size ?? 0,
        text: line.text,
        line: index,
      })),
    };
  }
  return out;
}

/** Plain text (a DOCX without bands, a mail body) as one band of lines, for the same search. */
export function textBlocks(text: string): Blocks {
  return { ...emptyBlocks('text'), body: text.split(/\r?\n/).map((line) => ({ text: line, breakBefore: false })) };
}

/** Positioned pages without a Decree 30 header band: every row a line of one band, with its place. */
export function rowBlocks(pages: PageLayout[]): Blocks {
  const body: BlockLine[] = pages.flatMap((pg) =>
    pg.rows.map((r) => ({
      text: r.cells.map((c) => c.text).join(' '),
      breakBefore: false,
      at: { page: r.page, x0: r.x0, x1: r.x1, y: r.y, size: r.size },
    })),
  );
  return { ...emptyBlocks('text'), body };
}
