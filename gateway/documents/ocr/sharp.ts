/**
 * sharp (libvips, prebuilt from npm), loaded lazily: it decodes photos (ocr-image.ts), turns a page
 * by its skew (preprocess.ts) and makes the searchable copy of an image (searchable.ts). When its
 * native part does not load on a machine, callers fall back: PDF pages are preprocessed in plain
 * JavaScript (raster.ts) and images go to tesseract as they are (docs/ocr.md).
 */
export type Sharp = typeof import('sharp').default;

let sharpModule: Promise<Sharp | null> | undefined;

/** sharp, when its native part loads on this machine; null otherwise. */
export function loadSharp(): Promise<Sharp | null> {
  sharpModule ??= import('sharp').then(
    (m) => m.default,
    () => null,
  );
  return sharpModule;
}
