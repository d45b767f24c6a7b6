/** Test messages as an agency's mail system writes them: UTF-8 headers, 8bit Vietnamese text. */

export const BENTRE_SENDER = 'vanthu@ubnd.bentre.gov.vn';

/** A plain-text công văn from UBND tỉnh Bến Tre; `id` becomes the Message-ID's local part. */
export function plainMail(id: string, to: string, body: string[] = ['Kính gửi: Sở Tài chính tỉnh Lâm Đồng', 'Số: 123/UBND-VX', '']): string {
  return [
    `From: =?UTF-8?Q?V=C4=83n_th=C6=B0?= <${BENTRE_SENDER}>`,
    `To: ${to}`,
    'Subject: =?UTF-8?B?Q8O0bmcgdsSDbiBz4buRIDEyMy9VQk5ELVZY?=', // "Công văn số 123/UBND-VX"
    `Message-ID: <${id}@ubnd.bentre.gov.vn>`,
    'Date: Mon, 23 Nov 2026 09:00:00 +0700',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    ...body,
  ].join('\r\n');
}
