/**
 * A real document mailed the ways agencies send one (README.md "Derived files"): a cover note with
 * the file attached, a forwarded chain, a webmail message with an HTML body. Used by make-derived.ts.
 */
import { basename, extname } from 'node:path';
import type { Label } from './score.ts';

export function stem(file: string): string {
  return basename(file).replace(/\.[^.]+$/, '');
}

const DOMAIN: Record<string, string> = {
  'Lâm Đồng': 'lamdong.gov.vn',
  'Bình Thuận': 'binhthuan.gov.vn',
  'Quảng Ngãi': 'quangngai.gov.vn',
  'Hà Nội': 'chinhphu.vn',
  'Lào Cai': 'laocai.gov.vn',
};

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

/** "số 12/KH-X ngày 03/02/2026", leaving out what the document does not print. */
function reference(l: Label): string {
  const f = l.fields;
  return [f.number ? `số ${f.number}` : '', f.date ? `ngày ${isoToDmy(f.date)}` : ''].filter(Boolean).join(' ');
}

export function cover(l: Label, data: Buffer, file: string, k: number, sent = l.fields.date ?? '2025-01-01'): Buffer {
  const f = l.fields;
  const s = senderOf(l);
  const ref = reference(l);
  const subject = k % 2 ? `${f.docType} ${ref}`.trim() : `Gửi văn bản${f.number ? ` số ${f.number}` : ''}`;
  const text = [
    'Kính gửi: Bộ phận Văn thư.',
    '',
    `${f.issuer} trân trọng gửi kèm theo thư này ${f.docType?.toLowerCase()}${ref ? ` ${ref}` : ''}.`,
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
        date: mailDate(sent),
        id: `${stem(file)}.cover@${s.address.split('@')[1]}`,
        extra: ['X-Mailer: Microsoft Outlook 16.0'],
      }),
      ...multipart('multipart/mixed', `=_cover_${k}`, [textPart(text), attachmentPart(file, data)]),
    ].join('\r\n'),
  );
}

export function forward(l: Label, data: Buffer, file: string, k: number, sent = l.fields.date ?? '2025-01-01'): Buffer {
  const f = l.fields;
  const s = senderOf(l);
  const orig = `${f.docType}${f.number ? ` số ${f.number}` : ''}`;
  const text = [
    'Chuyển đồng chí Chánh Văn phòng xem, trình Lãnh đạo.',
    '',
    '---------- Forwarded message ---------',
    `From: ${s.name} <${s.address}>`,
    `Date: ${mailDate(sent, 1, '07:45:00')}`,
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
        date: mailDate(sent, 2, '09:10:00'),
        id: `${stem(file)}.fwd@sokhcn.lamdong.gov.vn`,
        extra: [`References: <${stem(file)}.orig@${s.address.split('@')[1]}>`, `In-Reply-To: <${stem(file)}.orig@${s.address.split('@')[1]}>`],
      }),
      ...multipart('multipart/mixed', `=_fwd_${k}`, [textPart(text), attachmentPart(file, data)]),
    ].join('\r\n'),
  );
}

export function webmail(l: Label, data: Buffer, file: string, k: number, sent = l.fields.date ?? '2025-01-01'): Buffer {
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
        date: mailDate(sent, 1, '15:20:00'),
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
