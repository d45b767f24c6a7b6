/**
 * Regenerates the corpus: every case in cases-*.ts becomes tests/corpus/cases/<id>.eml and
 * <id>.expected.json. The generated files are committed, so tests never depend on running this.
 * Run: npx tsx tests/corpus/make-fixtures.ts
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEnvelope } from '../../gateway/documents/edxml/build.ts';
import { unicodeToTcvn3, unicodeToVni } from '../../gateway/documents/legacy-encoding.ts';
import { adminCases } from './cases-admin.ts';
import { formCases } from './cases-forms.ts';
import { mailCases } from './cases-mail.ts';
import { specialCases } from './cases-special.ts';
import { rowsToDocx } from './fixtures/docx.ts';
import { rows, toText, type DocSpec, type Row } from './fixtures/layout.ts';
import { attachment, buildMessage, plainText, type Part } from './fixtures/mime.ts';
import { rowsToPdf, scannedPdf } from './fixtures/pdf.ts';
import { expectedOf, TYPE_NAMES, type DocCase } from './fixtures/spec.ts';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'cases');

const DOMAINS: Record<string, string> = {
  'Bến Tre': 'bentre',
  'Lâm Đồng': 'lamdong',
  'Nghệ An': 'nghean',
  'Bình Phước': 'binhphuoc',
  'Hà Nội': 'hanoi',
  'Quảng Ninh': 'quangninh',
  'Cần Thơ': 'cantho',
  'Châu Thành': 'bentre',
  'Thái Bình': 'thaibinh',
  'Đà Nẵng': 'danang',
  'Đồng Tháp': 'dongthap',
  'Bình Thuận': 'binhthuan',
  'Cà Mau': 'camau',
  'Thanh Hóa': 'thanhhoa',
  Huế: 'hue',
  'Đắk Lắk': 'daklak',
  'An Giang': 'angiang',
  'Khánh Hòa': 'khanhhoa',
  'Gia Lai': 'gialai',
  'Vĩnh Long': 'vinhlong',
  'Lào Cai': 'laocai',
  'Hưng Yên': 'hungyen',
};

function mailDate(iso: string): string {
  const d = new Date(`${iso}T02:15:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toUTCString().replace('GMT', '+0000');
}

function fileBase(doc: DocSpec): string {
  return doc.notation.replace(/\//g, '_').normalize('NFD').replace(/\p{M}/gu, '').replace(/[Đđ]/g, 'D');
}

function defaultSubject(c: DocCase): string {
  const d = c.doc;
  return `${TYPE_NAMES[d.type]} số ${d.notation} ngày ${d.date.split('-').reverse().join('/')}`;
}

function covering(doc: DocSpec): string {
  return `Kính gửi: Văn thư cơ quan.\n\n${doc.issuer.expected} gửi kèm theo thư này văn bản số ${doc.notation}. Đề nghị quý cơ quan nhận và xử lý theo quy định.\n\nTrân trọng./.\n`;
}

function edxmlEnvelope(c: DocCase, contentId: string, name: string): string {
  const e = expectedOf(c).document!;
  const { source: _source, ...document } = e;
  return buildEnvelope({
    from: { id: '000.00.00.H26', name: e.issuer ?? '', email: `vanthu@${DOMAINS[c.doc.place] ?? 'gov'}.gov.vn` },
    to: [{ id: '000.00.31.H29', name: 'Sở Khoa học và Công nghệ tỉnh Lâm Đồng', email: 'vanthu@sokhcn.lamdong.gov.vn' }],
    documentId: `000.00.00.H26,${e.issuedDate?.replace(/-/g, '/')},${e.number}`,
    document,
    attachments: [{ contentId, name, contentType: 'application/pdf' }],
  });
}

async function documentMessage(c: DocCase): Promise<Buffer> {
  const d = c.doc;
  const r = rows(d);
  const domain = DOMAINS[d.place] ?? 'gov';
  const headers = {
    From: `Văn thư <vanthu@${domain}.gov.vn>`.replace('Văn thư', '=?UTF-8?B?' + Buffer.from('Văn thư').toString('base64') + '?='),
    To: 'vanthu@sotttt.lamdong.gov.vn',
    Subject: c.mail?.subject ?? defaultSubject(c),
    Date: c.mail?.date ?? mailDate(d.date),
    'Message-ID': `<${c.id}@${domain}.gov.vn>`,
  };
  const base = fileBase(d);
  const text = toText(r);
  const pdf = () => rowsToPdf(r, { title: `${TYPE_NAMES[d.type]} ${d.notation}` });
  let parts: Part[];
  let multipart: string | undefined;
  switch (c.delivery) {
    case 'pdf':
      parts = [plainText(covering(d)), attachment(`${base}.pdf`, 'application/pdf', await pdf())];
      break;
    case 'docx':
      parts = [plainText(covering(d)), attachment(`${base}.docx`, DOCX, rowsToDocx(r))];
      break;
    case 'vni-docx':
      parts = [plainText(covering(d)), attachment(`${base}.docx`, DOCX, rowsToDocx(r, { font: 'VNI-Times', map: unicodeToVni }))];
      break;
    case 'txt':
      parts = [plainText(covering(d)), attachment(`${base}.txt`, 'text/plain; charset=utf-8', Buffer.from(text))];
      break;
    case 'body':
      parts = [plainText(`Văn thư xin chuyển quý cơ quan văn bản dưới đây.\n\n${text}`)];
      break;
    case 'wrapped-body':
      parts = [plainText(hardWrap(`Văn thư xin chuyển quý cơ quan văn bản dưới đây.\n\n${text}`, 66))];
      break;
    case 'nfd-body':
      parts = [plainText(text.normalize('NFD'))];
      break;
    case 'stars-body':
      parts = [plainText(toText(r, 'stars'))];
      break;
    case 'web-body':
      parts = [plainText(`Văn bản pháp luật\nTrang chủ | Văn bản mới | Liên hệ |\n${toText(r, 'web-table')}\nBạn Chưa Đăng Nhập Thành Viên!\n`)];
      break;
    case 'html':
      parts = [{ contentType: 'text/html; charset=utf-8', body: rowsToHtml(r) }];
      break;
    case 'tcvn3-body':
      parts = [{ contentType: 'text/plain; charset=windows-1252', body: unicodeToTcvn3(text), encoding: '8bit' }];
      break;
    case 'edxml-attach': {
      const cid = `${c.id}-pdf@edxml`;
      parts = [
        plainText(covering(d)),
        {
          ...attachment(`${base}.pdf`, 'application/pdf', await pdf()),
          headers: { 'Content-ID': `<${cid}>`, 'Content-Disposition': `attachment; filename="${base}.pdf"` },
        },
        attachment('edxml.xml', 'application/xml', Buffer.from(edxmlEnvelope(c, cid, `${base}.pdf`))),
      ];
      break;
    }
    case 'edxml-message': {
      const cid = `${c.id}-pdf@edxml`;
      multipart = 'multipart/related; type="application/xml"';
      parts = [
        { contentType: 'application/xml; charset=utf-8', body: edxmlEnvelope(c, cid, `${base}.pdf`), headers: { 'Content-ID': '<envelope@edxml>' } },
        {
          ...attachment(`${base}.pdf`, 'application/pdf', await pdf()),
          headers: { 'Content-ID': `<${cid}>`, 'Content-Disposition': `attachment; filename="${base}.pdf"` },
        },
      ];
      break;
    }
    case 'scan-subject':
      parts = [plainText('Gửi quý cơ quan văn bản đính kèm (bản scan).\n'), attachment(`${base}.pdf`, 'application/pdf', await scannedPdf())];
      break;
  }
  return buildMessage({ headers, parts, multipart }, c.id);
}

/** As Outlook sends a document pasted from Word: the two-column blocks are tables. */
function rowsToHtml(r: Row[]): string {
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const out: string[] = [];
  let group: Row[] = [];
  const flush = () => {
    if (!group.length) return;
    const cell = (texts: Array<string | undefined>) =>
      `<td>${texts
        .filter((t): t is string => !!t)
        .map((t) => `<p class=MsoNormal><b>${esc(t)}</b></p>`)
        .join('')}</td>`;
    out.push(`<table border=0><tr>${cell(group.map((g) => g.left))}${cell(group.map((g) => g.right))}</tr></table>`);
    group = [];
  };
  for (const row of r) {
    if (row.left !== undefined || row.right !== undefined) group.push(row);
    else {
      flush();
      out.push(`<p class=MsoNormal>${esc(row.center ?? row.text ?? '')}</p>`);
    }
  }
  flush();
  return `<html><head><style>p.MsoNormal{margin:0}</style></head><body>${out.join('\n')}</body></html>`;
}

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Mail clients break plain-text lines at a fixed width; pasted documents arrive broken like this. */
function hardWrap(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      const out: string[] = [];
      let cur = '';
      for (const w of line.split(' ')) {
        if (cur && (cur + ' ' + w).length > width) {
          out.push(cur);
          cur = w;
        } else cur = cur ? `${cur} ${w}` : w;
      }
      out.push(cur);
      return out.join('\n');
    })
    .join('\n');
}

function write(id: string, eml: Buffer, expected: unknown): void {
  writeFileSync(join(out, `${id}.eml`), eml);
  writeFileSync(join(out, `${id}.expected.json`), JSON.stringify(expected, null, 2) + '\n');
}

export const documentCases: DocCase[] = [...adminCases, ...formCases, ...specialCases];

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(out)) rmSync(join(out, f));
  const ids = new Set<string>();
  for (const c of documentCases) {
    if (ids.has(c.id)) throw new Error(`duplicate case id ${c.id}`);
    ids.add(c.id);
    write(c.id, await documentMessage(c), { note: c.note, ...expectedOf(c) });
  }
  for (const c of mailCases) {
    if (ids.has(c.id)) throw new Error(`duplicate case id ${c.id}`);
    ids.add(c.id);
    write(c.id, await c.build(), { note: c.note, ...c.expected });
  }
  // The benchmark's two-page PDF, also handy for `vanthu classify`.
  const bench = documentCases.find((c) => c.id === 'bc-sttt-binhthuan')!;
  writeFileSync(join(here, 'two-page.pdf'), await rowsToPdf(rows(bench.doc)));
  process.stderr.write(`wrote ${ids.size} cases to ${out}\n`);
}

await main();
