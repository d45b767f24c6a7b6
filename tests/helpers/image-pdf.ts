/**
 * Small PDFs for the scan check (docs/ocr.md, "In the pipeline"): a few lines of text in Helvetica
 * and, as asked, a grey image drawn over the whole page, over a corner of it, through a form
 * XObject, or in the appearance of an annotation (a stamp, which the fast reader draws, or a
 * watermark, which it does not). Every stream is plain or FlateDecode, so both the fast
 * reader (gateway/documents/sources/pdf-fast.ts) and poppler read them.
 */
import { deflateSync } from 'node:zlib';

export type ImageDraw = 'none' | 'page' | 'corner' | 'form' | 'annotation' | 'watermark';

const W = 595;
const H = 842;

/** A PDF of one A4 page with `lines` of text and an image drawn as `image` says. */
export function imagePdf(lines: string[], image: ImageDraw): Buffer {
  const text = lines.map((l, i) => `BT /F1 11 Tf 50 ${780 - i * 18} Td (${l.replace(/[()\\]/g, '\\$&')}) Tj ET`).join('\n');
  const pixels = deflateSync(Buffer.alloc(200 * 280, 0xe0));
  const objects: string[] = [];
  const streams = new Map<number, Buffer>();
  const add = (dict: string, stream?: Buffer) => {
    objects.push(dict);
    if (stream) streams.set(objects.length, stream);
    return objects.length;
  };
  add('<< /Type /Catalog /Pages 2 0 R >>');
  add('<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  add('PAGE'); // filled in below
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const img = add('<< /Type /XObject /Subtype /Image /Width 200 /Height 280 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode', pixels);
  let draw = '';
  let xobjects = `/Im1 ${img} 0 R`;
  let annots = '';
  if (image === 'page') draw = `q ${W} 0 0 ${H} 0 0 cm /Im1 Do Q`;
  if (image === 'corner') draw = `q 80 0 0 80 450 740 cm /Im1 Do Q`;
  if (image === 'form') {
    const body = Buffer.from(`q ${W} 0 0 ${H} 0 0 cm /Im1 Do Q`);
    const form = add(`<< /Type /XObject /Subtype /Form /BBox [0 0 ${W} ${H}] /Resources << /XObject << /Im1 ${img} 0 R >> >>`, body);
    xobjects += ` /Fm1 ${form} 0 R`;
    draw = 'q /Fm1 Do Q';
  }
  if (image === 'annotation' || image === 'watermark') {
    // A stamp over the whole page whose appearance is the image: poppler draws it, so pdfimages lists it.
    const body = Buffer.from(`q ${W} 0 0 ${H} 0 0 cm /Im1 Do Q`);
    const ap = add(`<< /Type /XObject /Subtype /Form /BBox [0 0 ${W} ${H}] /Resources << /XObject << /Im1 ${img} 0 R >> >>`, body);
    const annot = add(`<< /Type /Annot /Subtype /${image === 'annotation' ? 'Stamp' : 'Watermark'} /Rect [0 0 ${W} ${H}] /F 4 /AP << /N ${ap} 0 R >> >>`);
    annots = ` /Annots [${annot} 0 R]`;
  }
  const content = add('<<', Buffer.from(`${draw}\n${text}\n`));
  objects[2] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${W} ${H}] /Resources << /Font << /F1 ${font} 0 R >> /XObject << ${xobjects} >> >> /Contents ${content} 0 R${annots} >>`;
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let at = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((dict, i) => {
    const n = i + 1;
    offsets.push(at);
    const stream = streams.get(n);
    const body = stream
      ? Buffer.concat([Buffer.from(`${n} 0 obj\n${dict} /Length ${stream.length} >>\nstream\n`, 'latin1'), stream, Buffer.from('\nendstream\nendobj\n')])
      : Buffer.from(`${n} 0 obj\n${dict}\nendobj\n`, 'latin1');
    parts.push(body);
    at += body.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}
