/**
 * The positioned model of a document page that the layout reader works on (docs/extraction.md).
 * PDF text (fast reader or pdfjs), annotation appearances and DOCX paragraphs are all turned into
 * runs; runs into rows (one baseline) of cells (separated by a wide gap); rows into the bands of
 * Decree 30 Appendix I: header (left | right), title, body, closing (Nơi nhận | signature).
 */

/** A run of text placed on a page. PDF coordinates: x to the right, y the baseline, upwards. */
export interface Run {
  str: string;
  x: number;
  y: number;
  width: number;
  size: number;
  /** Identity of the font object; Word writes one face as several objects (ASCII and CID subsets). */
  font?: string;
  /** The face without its subset prefix ("TimesNewRomanPS-BoldMT"), when known. */
  face?: string;
  bold?: boolean;
  italic?: boolean;
  /** Drawn by an annotation or form field over the page (a number stamped at signing time). */
  stamped?: boolean;
  /** The table cell it was laid out in (DOCX): runs of different cells never join one cell. */
  box?: number;
}

/** Runs of one row that read as one piece of text (no gap wider than a column gutter inside). */
export interface Cell {
  text: string;
  x0: number;
  x1: number;
  runs: Run[];
}

/** One baseline of a page, left to right. Style is that of most of its letters. */
export interface Row {
  page: number;
  y: number;
  size: number;
  bold: boolean;
  italic: boolean;
  /** Face + weight + slant of most letters: a change marks a new paragraph. */
  style: string;
  cells: Cell[];
  x0: number;
  x1: number;
  /** Some of its text was stamped (annotation, form field). */
  stamped: boolean;
}

export interface PageLayout {
  width: number;
  height: number;
  rows: Row[];
}

/** A line of a block, with what the layout says about it (absent when read from flattened text). */
export interface BlockLine {
  text: string;
  /** A paragraph break (vertical gap, change of style) came before this line. */
  breakBefore: boolean;
  bold?: boolean;
  size?: number;
  /** Vertical distance from the line above in the same block, in line heights. */
  gapBefore?: number;
  centered?: boolean;
  /** Pieces of the line stamped over the page (annotations): a number or day filled in at signing. */
  stamped?: string[];
  /** Where it is on the page (0-based page, PDF units, y the baseline): what the console highlights (layout/spans.ts). */
  at?: { page: number; x0: number; x1: number; y: number; size: number };
}

/** The text area of a page: left and right edges of the body text, and its middle. */
export interface Geometry {
  left: number;
  right: number;
  cx: number;
  width: number;
}

/** The bands of a document, each in reading order. */
export interface Blocks {
  /** Issuer (parent over unit), "Số: …", for a công văn the "V/v …" summary, marks. */
  headerLeft: BlockLine[];
  /** National motto, place and date. */
  headerRight: BlockLine[];
  /** Type name and trích yếu (absent for a công văn). */
  title: BlockLine[];
  body: BlockLine[];
  /** "Nơi nhận:" and its list. */
  closingLeft: BlockLine[];
  /** Authority, title, (space for signature and seal), name. */
  closingRight: BlockLine[];
  /** 'layout': bands found from positions (PDF, DOCX); 'text': from line heuristics. */
  from: 'layout' | 'text';
}

export function emptyBlocks(from: Blocks['from']): Blocks {
  return { headerLeft: [], headerRight: [], title: [], body: [], closingLeft: [], closingRight: [], from };
}
