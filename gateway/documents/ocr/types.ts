/** The options and results of OCR (ocr.ts). */
import type { QuarterTurn } from './orient.ts';
import type { OcrTools } from './probe.ts';
import type { OcrLine, OcrWord } from './tsv.ts';

export interface OcrProgress {
  /** 1-based page number in the document. */
  page: number;
  /** 1-based position among the pages being read, of `total`. */
  index: number;
  total: number;
}

export interface OcrOptions {
  /** Rendering resolution of PDF pages (default 300). */
  dpi?: number;
  /** tesseract languages (default ["vie"]). */
  lang?: string[];
  /**
   * Languages of a second pass for a page whose mean confidence stays under `fallbackBelow`
   * (default ["vie", "eng"] under 50; null: no second pass). The better pass is kept. Languages not
   * installed are left out.
   */
  fallbackLang?: string[] | null;
  fallbackBelow?: number;
  /** tesseract page segmentation mode (default 3: automatic, no OSD). */
  psm?: number;
  /** PDF: 1-based pages to read (e.g. from pagesNeedingOcr); default every page up to maxPages. */
  pages?: number[];
  /** Pages read at most (default 20); the rest are left out and `truncated` says so. */
  maxPages?: number;
  /** Wall-clock budget for the whole document (default 180 s). */
  timeBudgetMs?: number;
  /**
   * Starts the budget: calls `expire` once `ms` have passed and returns what cancels it (default: a
   * timer of the clock's, unref'd). Tests expire the budget at a chosen step instead of waiting for it.
   */
  budgetTimer?: (ms: number, expire: () => void) => () => void;
  signal?: AbortSignal;
  /** Called before each page is rendered/read. */
  onPage?: (p: OcrProgress) => void;
  /** Turn pixels where red dominates white before recognition (default true). */
  removeRed?: boolean;
  /**
   * 'boxes' (default): the skew is estimated, the page read as it lies and only the word boxes
   * straightened (by the layout reader); true: the page is also turned before tesseract reads it;
   * false: neither (nor is the orientation judged from the ink).
   */
  deskew?: boolean | 'boxes';
  /** Check a poorly read page for being sideways or upside down and read it upright (default true; needs osd.traineddata). */
  orient?: boolean;
  /** Photos: find the sheet on its ground and warp it to an upright rectangle (perspective.ts; default true). */
  perspective?: boolean;
  /** Largest skew looked for, degrees (default 5). */
  maxSkewDegrees?: number;
  /**
   * "none" (default: tesseract's own global Otsu on the grey page), "sauvola" (local threshold,
   * done by tesseract 5 itself, `-c thresholding_method=2`, or here with tesseract 4) or "otsu"
   * (one global threshold, here). docs/ocr.md has the measurements behind the default.
   */
  binarize?: 'otsu' | 'sauvola' | 'none';
  /** Pixels of one page image at most (default 40 M, A4 at 300 dpi is 8.7 M): PDF pages are rendered at a lower dpi to fit, larger images are refused. */
  maxPixels?: number;
  /** OpenMP threads of one tesseract (OMP_THREAD_LIMIT, default 1: pages are the unit of parallelism). */
  threads?: number;
  tools?: OcrTools;
  /** Told the pid of every child process started. */
  onSpawn?: (child: { pid: number; tool: string }) => void;
  /** Keep each page's preprocessed PGM in this folder (for looking at it). */
  debugDir?: string;
  /** Also keep each page's text as an invisible-text PDF page (OcrPage.textPdf), for searchablePdf (searchable.ts). */
  searchable?: boolean;
  /** Temporary files go under this folder (default the system's). */
  tmpDir?: string;
  /**
   * Read the signature block again on its own (cropped, red channel, `--psm 6`) when the page's
   * reading gives no known title or no plausible name there (signer-band.ts; default true).
   */
  signerBand?: boolean;
  /**
   * PDF: a page that is one scanned image over the whole page is read from that image, copied out
   * by pdfimages and scaled to `dpi` by sharp, instead of rendered by pdftoppm (page-image.ts;
   * default false: 8 % less CPU, but the corpus lost 4 fields that way; docs/ocr.md; never with
   * red removal off).
   */
  extractImages?: boolean;
}

export interface OcrPage {
  /** 1-based page number (images: 1, or the frame of a multi-page TIFF). */
  page: number;
  /** The page image the boxes refer to, in pixels, and its resolution. */
  width: number;
  height: number;
  dpi: number;
  text: string;
  words: OcrWord[];
  lines: OcrLine[];
  /** Mean word confidence, 0–100. */
  meanConfidence: number;
  /** Languages of the pass kept, e.g. "vie". */
  lang: string;
  /** Skew found (degrees, positive = the page was turned clockwise); 0 without deskew. */
  skewDegrees: number;
  /** false: the skew was found but the page read as it lay (deskew: 'boxes'); absent: undone before reading, when found. */
  deskewed?: false;
  /** Clockwise quarter-turn applied first to make the page upright (orient.ts); width, height and boxes are of the turned page. */
  rotated: QuarterTurn;
  /**
   * A photo whose sheet was found on its ground and straightened (perspective.ts): the sheet's
   * corners in the decoded photo, clockwise from the top left. width, height and boxes are then of
   * the straightened sheet.
   */
  sheet?: Array<[number, number]>;
  /** Share of pixels turned white by red removal. */
  redFraction: number;
  /** Whether the page went through raster.ts (false when an image was handed to tesseract as it is). */
  preprocessed: boolean;
  /** opts.searchable: the recognised text as a one-page PDF of invisible text, the size of the (deskewed, upright) page image. */
  textPdf?: Uint8Array;
  /** The signature block was read again on its own (signer-band.ts): true when that reading was kept, false when not; absent when not read again. */
  signerBandReread?: boolean;
  ms: number;
}

export interface OcrResult {
  pages: OcrPage[];
  /** Pages in the document (PDF) or frames in the image. */
  pageCount: number;
  /** Pages left out over maxPages. */
  truncated: boolean;
  engine: string;
  ms: number;
}
