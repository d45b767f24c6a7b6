/**
 * "Real text, made layout" (README.md "Derived files"): the text of a real document — its labelled
 * header fields and the body as pdftotext gives it — as a spec for the Decree 30 layout of the
 * corpus generator (tests/corpus/fixtures/layout.ts). Used by make-derived.ts.
 */
import { execFileSync } from 'node:child_process';
import type { DocSpec } from '../fixtures/layout.ts';
import type { Label } from './score.ts';

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

export function specOf(l: Label, src: string): DocSpec | null {
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
