import { describe, expect, it } from 'vitest';
import { classifyMessage } from './message.ts';

function eml(headers: Record<string, string>, body: string, contentType = 'text/plain; charset=utf-8'): Buffer {
  const head = Object.entries({
    From: 'vanthu@a.gov.vn',
    To: 'vanthu@b.gov.vn',
    Date: 'Mon, 11 Mar 2024 09:00:00 +0700',
    ...headers,
    'MIME-Version': '1.0',
    'Content-Type': contentType,
    'Content-Transfer-Encoding': 'base64',
  })
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  return Buffer.from(`${head}\r\n\r\n${Buffer.from(body).toString('base64')}\r\n`);
}

const subject = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

const DOC =
  'ỦY BAN NHÂN DÂN\nTỈNH BẾN TRE\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 1234/UBND-VX\nBến Tre, ngày 07 tháng 10 năm 2024\nV/v báo cáo chữ ký số\nKính gửi: Các sở, ngành.\nNơi nhận:\n- Như trên;\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Minh Cảnh\n';

describe('classifyMessage', () => {
  it('reads a document from the body', async () => {
    const r = await classifyMessage(eml({ Subject: subject('Công văn 1234/UBND-VX') }, DOC));
    expect(r.kind).toBe('document');
    expect(r.document).toMatchObject({ notation: '1234/UBND-VX', source: 'body', issuer: 'Ủy ban nhân dân tỉnh Bến Tre' });
  });

  it('a document sent by a system with Auto-Submitted is still a document', async () => {
    const r = await classifyMessage(eml({ Subject: 'x', 'Auto-Submitted': 'auto-generated' }, DOC));
    expect(r.kind).toBe('document');
  });

  it('an auto-reply is automated, even when it quotes a document', async () => {
    const r = await classifyMessage(eml({ Subject: 'x', 'Auto-Submitted': 'auto-replied' }, DOC));
    expect(r.kind).toBe('automated');
  });

  it('an auto-reply that quotes nothing is automated', async () => {
    const r = await classifyMessage(eml({ Subject: subject('Trả lời tự động: V/v báo cáo'), 'Auto-Submitted': 'auto-replied' }, 'Tôi đang nghỉ phép.'));
    expect(r).toMatchObject({ kind: 'automated', document: null });
  });

  it('takes metadata from the subject when nothing else has it, with low confidence', async () => {
    const r = await classifyMessage(
      eml({ Subject: subject('[KHẨN] Số 88/UBND-KT ngày 05/3/2025 V/v rà soát hạ tầng mạng') }, 'Gửi quý cơ quan văn bản đính kèm.'),
    );
    expect(r.kind).toBe('document');
    expect(r.document).toMatchObject({ source: 'subject', notation: '88/UBND-KT', issuedDate: '2025-03-05', urgency: 'khan', subject: 'Rà soát hạ tầng mạng' });
    expect(r.confidence).toBeLessThan(0.5);
  });

  it('ordinary mail and replies about a document are correspondence', async () => {
    expect((await classifyMessage(eml({ Subject: subject('Re: Công văn số 1234/UBND-VX') }, 'Em sẽ gửi số liệu trước thứ Sáu.'))).kind).toBe('correspondence');
  });

  it('never throws on garbage', async () => {
    const r = await classifyMessage(Buffer.from([0, 1, 2, 255, 254, 10, 13, 10]));
    expect(['correspondence', 'automated']).toContain(r.kind);
  });

  it('reads a part whose Content-Type header is empty (mailparser gives `false`)', async () => {
    const r = await classifyMessage(Buffer.from('Content-Type:;boundary=b0_189\n\n--b0_189\nContent-Type:'));
    expect(r.kind).toBe('correspondence');
  });
});
