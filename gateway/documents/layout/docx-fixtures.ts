/**
 * Test fixtures (used by the layout tests only): a DOCX as Word lays out a Decree 30 document —
 * the header as a two-column table (issuer and "Số:" | motto and date, one paragraph per line),
 * the title as centred bold paragraphs, the closing as a table (Nơi nhận | signature, empty
 * paragraphs for the signature space). Written as WordprocessingML with fflate.
 */
import { strToU8, zipSync } from 'fflate';

export interface Para {
  text: string;
  bold?: boolean;
  italic?: boolean;
  center?: boolean;
  /** Half-points, as w:sz. */
  size?: number;
}

export interface DocxSpec {
  left: Para[];
  right: Para[];
  /** Grid widths of the header table (twips). */
  grid?: [number, number];
  title: Para[];
  body: Para[];
  recipients: Para[];
  signature: Para[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One paragraph; a tab in the text becomes a w:tab run. */
function p(x: Para): string {
  const rpr = `<w:rPr>${x.bold ? '<w:b/>' : ''}${x.italic ? '<w:i/>' : ''}<w:sz w:val="${x.size ?? 26}"/></w:rPr>`;
  const runs = x.text
    .split('\t')
    .map((t, i) => `<w:r>${rpr}${i > 0 ? '<w:tab/>' : ''}<w:t xml:space="preserve">${esc(t)}</w:t></w:r>`)
    .join('');
  return `<w:p><w:pPr>${x.center ? '<w:jc w:val="center"/>' : '<w:jc w:val="both"/>'}</w:pPr>${x.text ? runs : ''}</w:p>`;
}

function table(left: Para[], right: Para[], grid: [number, number]): string {
  const cell = (paras: Para[], w: number) => `<w:tc><w:tcPr><w:tcW w:w="${w}" w:type="dxa"/></w:tcPr>${paras.map(p).join('') || '<w:p/>'}</w:tc>`;
  return `<w:tbl><w:tblGrid><w:gridCol w:w="${grid[0]}"/><w:gridCol w:w="${grid[1]}"/></w:tblGrid><w:tr>${cell(left, grid[0])}${cell(right, grid[1])}</w:tr></w:tbl>`;
}

export function decree30Docx(spec: DocxSpec): Buffer {
  const grid = spec.grid ?? [3600, 5800];
  const body = [
    table(spec.left, spec.right, grid),
    ...spec.title.map((t) => p({ bold: true, center: true, ...t })),
    ...spec.body.map(p),
    table(spec.recipients, spec.signature, [4500, 4900]),
  ].join('');
  const ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
  const document = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ${ns}><w:body>${body}<w:sectPr/></w:body></w:document>`;
  const files = {
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    '_rels/.rels': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    ),
    'word/document.xml': strToU8(document),
  };
  return Buffer.from(zipSync(files, { mtime: new Date('2025-01-01T00:00:00Z') }));
}
