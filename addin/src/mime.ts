/**
 * Rebuilds a MIME message from an Outlook item's properties on hosts older than Mailbox 1.14
 * (no getAsFileAsync). It keeps the Message-ID, so the gateway can still find the stored original.
 */
export interface MimeAddress {
  name: string;
  address: string;
}

export interface MimeSource {
  messageId: string | null;
  subject: string;
  from: MimeAddress | null;
  to: MimeAddress[];
  cc: MimeAddress[];
  date: Date | null;
  text: string;
  attachments: Array<{ name: string; contentType: string; base64: string }>;
}

function utf8Base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** RFC 2047 encoded-word when the text is not plain ASCII. */
export function encodeWord(s: string): string {
  const clean = s.normalize('NFC').replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(clean) ? clean : `=?UTF-8?B?${utf8Base64(clean)}?=`;
}

function address(a: MimeAddress): string {
  if (!a.name || a.name === a.address) return `<${a.address}>`;
  const name = /^[\x20-\x7e]*$/.test(a.name) ? `"${a.name.replace(/["\\]/g, '\\$&')}"` : encodeWord(a.name);
  return `${name} <${a.address}>`;
}

function wrap76(b64: string): string {
  return b64.replace(/.{1,76}/g, '$&\r\n');
}

/** RFC 5322 date in UTC ("Mon, 23 Nov 2026 02:00:00 +0000"). */
export function rfc5322Date(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

export function buildMime(src: MimeSource, boundary = `vanthu-${Date.now().toString(36)}`): string {
  const head = [
    src.from ? `From: ${address(src.from)}` : null,
    src.to.length ? `To: ${src.to.map(address).join(', ')}` : null,
    src.cc.length ? `Cc: ${src.cc.map(address).join(', ')}` : null,
    `Subject: ${encodeWord(src.subject)}`,
    src.messageId ? `Message-ID: ${src.messageId.startsWith('<') ? src.messageId : `<${src.messageId}>`}` : null,
    src.date ? `Date: ${rfc5322Date(src.date)}` : null,
    'MIME-Version: 1.0',
    'X-Vanthu-Rebuilt: outlook-item-properties',
  ].filter((l): l is string => l !== null);
  const textPart = ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', wrap76(utf8Base64(src.text))].join('\r\n');
  if (!src.attachments.length) return [...head, textPart].join('\r\n');
  const parts = [
    textPart,
    ...src.attachments.map((a) =>
      [
        `Content-Type: ${a.contentType || 'application/octet-stream'}; name="${encodeWord(a.name)}"`,
        `Content-Disposition: attachment; filename="${encodeWord(a.name)}"`,
        'Content-Transfer-Encoding: base64',
        '',
        wrap76(a.base64.replace(/\s+/g, '')),
      ].join('\r\n'),
    ),
  ];
  return [...head, `Content-Type: multipart/mixed; boundary="${boundary}"`, '', ...parts.map((p) => `--${boundary}\r\n${p}`), `--${boundary}--`, ''].join(
    '\r\n',
  );
}
