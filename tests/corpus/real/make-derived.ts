/**
 * Derived documents of the real corpus (README.md "Derived files"), written once and committed:
 *
 *   eml/   a real document (byte for byte) mailed the ways agencies send one — a cover note with the
 *          file attached, a forwarded chain, a webmail message with an HTML body;
 *   made/  "real text, made layout": the text of a real document (its labelled header fields and
 *          the body as pdftotext gives it) set into the Decree 30 layout by the corpus generator
 *          (tests/corpus/fixtures/layout.ts → PDF or DOCX).
 *
 * Each derived label copies the source document's fields (read by a person on the source) and
 * names the source in `derivedFrom`. Run: npx tsx tests/corpus/real/make-derived.ts
 * (needs pdftotext, poppler-utils). Output is deterministic.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rowsToDocx } from '../fixtures/docx.ts';
import { rows, type DocSpec } from '../fixtures/layout.ts';
import { rowsToPdf } from '../fixtures/pdf.ts';
import type { Label } from './score.ts';

const here = dirname(fileURLToPath(import.meta.url));
const labelsPath = join(here, 'labels.json');

/** How many of each to make. */
const EML = 21;
const MADE = 40;

const TYPE_CODES: Record<string, string> = {
  'Công văn': 'CV',
  'Tờ trình': 'TTr',
  'Báo cáo': 'BC',
  'Quyết định': 'QĐ',
  'Thông báo': 'TB',
  'Công điện': 'CĐ',
  'Giấy mời': 'GM',
  'Hướng dẫn': 'HD',
  'Kế hoạch': 'KH',
};

const upper = (s: string) => s.toLocaleUpperCase('vi');

function stem(file: string): string {
  return basename(file).replace(/\.[^.]+$/, '');
}

// ---------------------------------------------------------------------------------------------
// Mail the way agencies send it
// ---------------------------------------------------------------------------------------------

const DOMAIN: Record<string, string> = { 'Lâm Đồng': 'lamdong.gov.vn', 'Bình Thuận': 'binhthuan.gov.vn', 'Quảng Ngãi': 'quangngai.gov.vn', 'Hà Nội': 'chinhphu.vn' };

function wrap64(buf: Buffer): string {
  return (buf.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

function word(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function contentType(file: string): string {
  return extname(file) === '.pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
}

function isoToDmy(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/** RFC 5322 date, the day after the document's date, 08:30 Hanoi time. */
function mailDate(iso: string, plusDays = 1, time = '08:30:00'): string {
  const d = new Date(`${iso}T${time}+07:00`);
  d.setUTCDate(d.getUTCDate() + plusDays);
  const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const mo = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const local = new Date(d.getTime() + 7 * 3600_000);
  const hh = String(local.getUTCHours()).padStart(2, '0');
  const mm = String(local.getUTCMinutes()).padStart(2, '0');
  return `${wd}, ${local.getUTCDate()} ${mo} ${local.getUTCFullYear()} ${hh}:${mm}:00 +0700`;
}

interface Mail {
  subject: string;
  from: string;
  to: string;
  date: string;
  id: string;
  extra?: string[];
}

function head(m: Mail): string[] {
  return [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${word(m.subject)}`,
    `Date: ${m.date}`,
    `Message-ID: <${m.id}>`,
    ...(m.extra ?? []),
    'MIME-Version: 1.0',
  ];
}

function attachmentPart(file: string, data: Buffer): string[] {
  const name = basename(file);
  return [`Content-Type: ${contentType(file)}; name="${word(name)}"`, `Content-Disposition: attachment; filename="${word(name)}"`, 'Content-Transfer-Encoding: base64', '', wrap64(data)];
}

function textPart(text: string, type = 'text/plain'): string[] {
  return [`Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: base64', '', wrap64(Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8'))];
}

function multipart(type: string, boundary: string, parts: string[][]): string[] {
  return [`Content-Type: ${type}; boundary="${boundary}"`, '', ...parts.flatMap((p) => [`--${boundary}`, ...p]), `--${boundary}--`, ''];
}

function senderOf(l: Label): { name: string; address: string } {
  const f = l.fields;
  const domain = DOMAIN[f.place ?? ''] ?? 'gov.vn';
  const unit = (f.number ?? 'vanthu').split('/')[1]?.split('-')[1]?.toLowerCase().replace(/[^a-z0-9]/g, '') || 'vanthu';
  return { name: `Văn thư ${f.issuer ?? ''}`.trim(), address: `vanthu.${unit}@${domain}` };
}

function cover(l: Label, data: Buffer, file: string, k: number): Buffer {
  const f = l.fields;
  const s = senderOf(l);
  const subject = k % 2 ? `${f.docType} số ${f.number} ngày ${isoToDmy(f.date ?? '')}` : `Gửi văn bản số ${f.number}`;
  const text = [
    'Kính gửi: Bộ phận Văn thư.',
    '',
    `${f.issuer} trân trọng gửi kèm theo thư này ${f.docType?.toLowerCase()} số ${f.number} ngày ${isoToDmy(f.date ?? '')}.`,
    'Đề nghị quý cơ quan nhận và xử lý theo quy định. Bản gốc có chữ ký số của cơ quan ban hành.',
    '',
    'Trân trọng./.',
    '--',
    'Bộ phận Văn thư',
    `${f.issuer}`,
    '',
  ].join('\n');
  return Buffer.from(
    [
      ...head({
        subject,
        from: `${word(s.name)} <${s.address}>`,
        to: 'vanthu@sokhcn.lamdong.gov.vn',
        date: mailDate(f.date ?? '2025-01-01'),
        id: `${stem(file)}.cover@${s.address.split('@')[1]}`,
        extra: ['X-Mailer: Microsoft Outlook 16.0'],
      }),
      ...multipart('multipart/mixed', `=_cover_${k}`, [textPart(text), attachmentPart(file, data)]),
    ].join('\r\n'),
  );
}

function forward(l: Label, data: Buffer, file: string, k: number): Buffer {
  const f = l.fields;
  const s = senderOf(l);
  const orig = `${f.docType} số ${f.number}`;
  const text = [
    'Chuyển đồng chí Chánh Văn phòng xem, trình Lãnh đạo.',
    '',
    '---------- Forwarded message ---------',
    `From: ${s.name} <${s.address}>`,
    `Date: ${mailDate(f.date ?? '2025-01-01', 1, '07:45:00')}`,
    `Subject: ${orig}`,
    'To: <vanthu@sokhcn.lamdong.gov.vn>',
    '',
    `Kính gửi: Quý cơ quan. ${f.issuer} gửi văn bản đính kèm.`,
    '',
    '> Văn thư cơ quan',
    '',
  ].join('\n');
  return Buffer.from(
    [
      ...head({
        subject: `Fwd: ${orig}`,
        from: 'Văn phòng Sở <vanphong@sokhcn.lamdong.gov.vn>',
        to: 'lanhdao@sokhcn.lamdong.gov.vn',
        date: mailDate(f.date ?? '2025-01-01', 2, '09:10:00'),
        id: `${stem(file)}.fwd@sokhcn.lamdong.gov.vn`,
        extra: [`References: <${stem(file)}.orig@${s.address.split('@')[1]}>`, `In-Reply-To: <${stem(file)}.orig@${s.address.split('@')[1]}>`],
      }),
      ...multipart('multipart/mixed', `=_fwd_${k}`, [textPart(text), attachmentPart(file, data)]),
    ].join('\r\n'),
  );
}

function webmail(l: Label, data: Buffer, file: string, k: number): Buffer {
  const f = l.fields;
  const s = senderOf(l);
  const plain = `Kính gửi: Văn thư.\n\n${f.issuer} gửi văn bản đính kèm, đề nghị tiếp nhận.\n\nTrân trọng.\n`;
  const html = [
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>',
    '<body><div style="font-family: times new roman, new york, times, serif; font-size: 12pt; color: #000000">',
    '<div>Kính gửi: Văn thư.</div><div><br></div>',
    `<div>${f.issuer} gửi văn bản đính kèm, đề nghị tiếp nhận.</div><div><br></div>`,
    '<div>Trân trọng.</div><div><br></div>',
    '<div data-marker="__SIG_PRE__"><span style="color:#1f497d">Bộ phận Văn thư</span></div>',
    '</div></body></html>',
    '',
  ].join('\n');
  return Buffer.from(
    [
      ...head({
        subject: `${s.name.replace(/^Văn thư /, '')} gửi văn bản`,
        from: `${word(s.name)} <${s.address}>`,
        to: 'vanthu@sokhcn.lamdong.gov.vn',
        date: mailDate(f.date ?? '2025-01-01', 1, '15:20:00'),
        id: `${stem(file)}.zimbra@${s.address.split('@')[1]}`,
        extra: ['X-Mailer: Zimbra 8.8.15_GA_4177 (ZimbraWebClient - GC120 (Win)/8.8.15_GA_4177)', 'Thread-Index: AQHbvanthu'],
      }),
      ...multipart('multipart/mixed', `=_zimbra_mixed_${k}`, [
        multipart('multipart/alternative', `=_zimbra_alt_${k}`, [textPart(plain), textPart(html, 'text/html')]).slice(0, -1),
        attachmentPart(file, data),
      ]),
    ].join('\r\n'),
  );
}

// ---------------------------------------------------------------------------------------------
// Real text, made layout
// ---------------------------------------------------------------------------------------------

/** The body of a real PDF as pdftotext gives it: between the title block and the closing band. */
function bodyOf(pdf: string, subject: string): { kinhGui: string[]; preamble: string[]; body: string[]; recipients: string[] } {
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.replace(/\f/g, '').trim())
    .filter((l) => l.length > 0);
  const kg = lines.findIndex((l) => /^Kính gửi/i.test(l));
  // Without "Kính gửi", the body starts after the line that ends the trích yếu.
  const tail = subject.split(/\s+/).slice(-3).join(' ');
  const afterTitle = lines.findIndex((l, i) => i < 60 && `${lines[i - 1] ?? ''} ${l}`.replace(/\s+/g, ' ').includes(tail));
  const start = kg >= 0 ? kg + 1 : afterTitle >= 0 ? afterTitle + 1 : lines.findIndex((l) => /^(Căn cứ|Thực hiện)/.test(l));
  const end = lines.findIndex((l, i) => i > start && /^Nơi nhận/i.test(l));
  // "Kính gửi: X" or "Kính gửi:" over a list of "- X;" lines.
  const kinhGui: string[] = [];
  let from = start;
  if (kg >= 0) {
    const first = lines[kg].replace(/^Kính gửi\s*:?\s*/i, '');
    for (let i = kg + 1, item = first; ; item = lines[i++]) {
      const clean = item
        .replace(/^[-–]\s*/, '')
        .replace(/[.;,]$/, '')
        .trim();
      if (clean) kinhGui.push(clean);
      if (i >= lines.length || !/^[-–]\s/.test(lines[i])) {
        from = i;
        break;
      }
    }
  }
  // The national motto printed in pdftotext's reading order among the body lines is header, not body.
  const bodyLines = lines.slice(Math.max(from, 0), end > 0 ? end : undefined).filter((l) => !/^(Độc lập|CỘNG HÒA XÃ HỘI|CỘNG HOÀ XÃ HỘI)/.test(l));
  const paras: string[] = [];
  const preamble: string[] = [];
  let cur = '';
  for (const l of bodyLines) {
    // Page numbers, rules and signature-tool captions are not body text.
    if (/^\d{1,3}$/.test(l) || /^[_\-–—.=*\s]+$/.test(l) || /^(Ký bởi|Cơ quan|Thời gian ký|Email)/i.test(l)) continue;
    // The preamble authority ("THỦ TƯỚNG CHÍNH PHỦ") in capitals before the body: its own centred line.
    if (paras.length === 0 && !cur && l === l.toLocaleUpperCase('vi') && /\p{L}{2}/u.test(l) && l.length < 90) {
      preamble.push(l);
      continue;
    }
    if (/^(KT|TM|TL|TUQ)\.|^(GIÁM ĐỐC|PHÓ GIÁM ĐỐC|CHỦ TỊCH|PHÓ CHỦ TỊCH)$/.test(l)) break;
    cur = cur ? `${cur} ${l}` : l;
    if (/[.;:]$|\/\.$/.test(l)) {
      paras.push(cur);
      cur = '';
    }
  }
  if (cur) paras.push(cur);
  let total = 0;
  const body = paras.filter((p) => (total += p.length) <= 5000);
  const recipients: string[] = [];
  if (end > 0)
    for (const l of lines.slice(end + 1, end + 12)) {
      if (!/^-/.test(l)) break;
      recipients.push(l.replace(/^-\s*/, '').replace(/[.;]$/, ''));
    }
  return { kinhGui, preamble, body: body.length ? body : paras.slice(0, 3), recipients: recipients.length ? recipients : ['Như trên', 'Lưu: VT'] };
}

function specOf(l: Label, src: string): DocSpec | null {
  const f = l.fields;
  const type = TYPE_CODES[f.docType ?? ''];
  if (!type || !f.number || !f.date || !f.place || !f.subject || !f.signerName || !f.signerTitle || !l.fields.issuerPrinted?.length) return null;
  const { kinhGui, preamble, body, recipients } = bodyOf(src, f.subject);
  const chain = f.signerAuthority === null ? [] : Array.isArray(f.signerAuthority) ? f.signerAuthority : [f.signerAuthority];
  const signerLines = [...chain.map(upper), upper(f.signerTitle)];
  return {
    // A long line broken before its last "VÀ" as a typist would ("SỞ NÔNG NGHIỆP" / "VÀ MÔI TRƯỜNG"),
    // not where the generator's narrow column would cut it.
    issuer: { lines: l.fields.issuerPrinted.flatMap((line) => (line.length > 24 && line.lastIndexOf(' VÀ ') > 0 ? [line.slice(0, line.lastIndexOf(' VÀ ')), line.slice(line.lastIndexOf(' VÀ ') + 1)] : [line])), expected: f.issuer ?? '' },
    type,
    notation: f.number,
    place: f.place,
    date: f.date,
    dateStyle: 'padded',
    // The trích yếu exactly as the source prints it (with its "V/v" or "Về việc").
    subject: f.subject,
    subjectStyle: 'plain',
    kinhGui: type === 'CV' && kinhGui.length ? kinhGui : undefined,
    preamble: preamble.length ? preamble : undefined,
    body,
    signer: { lines: signerLines, expected: { title: f.signerTitle, authority: chain.at(-1) ?? null } },
    signerName: f.signerName,
    recipients,
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const all = JSON.parse(readFileSync(labelsPath, 'utf8')) as Label[];
  const sources = all.filter((l) => !l.derivedFrom && (l.format === 'pdf-text' || l.format === 'docx'));
  for (const dir of ['eml', 'made']) {
    rmSync(join(here, dir), { recursive: true, force: true });
    mkdirSync(join(here, dir), { recursive: true });
  }
  const out: Label[] = all.filter((l) => !l.derivedFrom);

  // .eml: the smallest sources (the corpus stays small), three ways of sending in turn.
  const bySize = [...sources].sort((a, b) => readFileSync(join(here, a.file)).length - readFileSync(join(here, b.file)).length || a.file.localeCompare(b.file));
  bySize.slice(0, EML).forEach((l, k) => {
    const data = readFileSync(join(here, l.file));
    const how = (['cover', 'forward', 'webmail'] as const)[k % 3];
    const eml = how === 'cover' ? cover(l, data, l.file, k) : how === 'forward' ? forward(l, data, l.file, k) : webmail(l, data, l.file, k);
    const file = `eml/${stem(l.file)}-${how}.eml`;
    writeFileSync(join(here, file), eml);
    out.push({ file, kind: 'document', format: `eml-${how}`, derivedFrom: l.file, note: `the real file ${basename(l.file)} mailed as ${how === 'cover' ? 'a cover note with the file attached' : how === 'forward' ? 'a forwarded chain' : 'a webmail (Zimbra) message with an HTML body'}`, fields: l.fields });
  });

  // Made layout: PDF sources with a simple signature block, every fourth one as DOCX.
  let made = 0;
  // Round-robin over the types, so every kind of document is set into made layout.
  const byType = new Map<string, Label[]>();
  for (const s of sources.filter((x) => x.format === 'pdf-text')) byType.set(s.fields.docType ?? '', [...(byType.get(s.fields.docType ?? '') ?? []), s]);
  const queues = [...byType.values()];
  const order: Label[] = [];
  for (let k = 0; order.length < sources.length && queues.some((q) => q.length > k); k++) for (const q of queues) if (q[k]) order.push(q[k]);
  for (const l of order) {
    if (made >= MADE) break;
    const spec = specOf(l, join(here, l.file));
    if (!spec) continue;
    const asDocx = made % 4 === 3;
    const file = `made/${stem(l.file)}-made.${asDocx ? 'docx' : 'pdf'}`;
    const r = rows(spec);
    writeFileSync(join(here, file), asDocx ? rowsToDocx(r) : await rowsToPdf(r));
    out.push({
      file,
      kind: 'document',
      format: asDocx ? 'made-layout-docx' : 'made-layout-pdf',
      derivedFrom: l.file,
      note: 'real text, made layout: the header fields and body text of the source set into Decree 30 layout by tests/corpus/fixtures',
      fields: l.fields,
    });
    made++;
  }
  out.sort((a, b) => a.file.localeCompare(b.file));
  writeFileSync(labelsPath, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${out.length} labels: ${out.filter((l) => l.format.startsWith('eml-')).length} .eml, ${made} made layout\n`);
}

await main();
