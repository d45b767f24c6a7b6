/** Unit tests of the pane's "Gửi phát hành" logic (addin/src/outgoing.ts; no browser): recipients, files, stages, refusals, words. */
import { describe, expect, it } from 'vitest';
import { Api } from '../addin/src/api.ts';
import { translator } from '../addin/src/i18n.ts';
import { sendEn, sendVi } from '../addin/src/i18n-send.ts';
import {
  allResolved,
  canIssue,
  defaultDocument,
  orderFiles,
  receiptOf,
  recipientLines,
  recipientStage,
  refusalOf,
  replaceRecipient,
  sentStage,
} from '../addin/src/outgoing.ts';
import type { DeliveryInfo, SentItem } from '../addin/src/types.ts';

const delivery = (state: string, over: Partial<DeliveryInfo> = {}): DeliveryInfo => ({
  recipient: `${state}@x.gov.vn`,
  recipientName: null,
  state,
  lastError: null,
  sentAt: null,
  receivedAt: null,
  handledAt: null,
  evidence: [],
  ...over,
});

function item(state: string, deliveries: DeliveryInfo[] | null = null): SentItem {
  return {
    id: 'R1',
    unitId: 'stc',
    state,
    submittedBy: 'binh@stc.gov.vn',
    submitterName: 'Trần Thị Bình',
    subject: 'Báo cáo quý IV',
    typeName: 'Báo cáo',
    note: null,
    recipients: [],
    files: [],
    unsigned: null,
    returnReason: null,
    lastError: null,
    createdAt: '2026-11-23T02:00:00Z',
    decidedAt: null,
    outgoing: deliveries ? { id: 'O1', notation: '1/BC-STC', createdAt: '2026-11-23T02:05:00Z', deliveries, acknowledged: false } : null,
  };
}

describe('sending for issuance: decisions of the pane', () => {
  it('lets clerks and admins issue at once, and sends everyone else through the clerk', () => {
    expect(canIssue('clerk')).toBe(true);
    expect(canIssue('admin')).toBe(true);
    expect(canIssue('officer')).toBe(false);
    expect(canIssue('leader')).toBe(false);
  });

  it('reads the recipients box one per line or by ";", without blanks or repeats, NFC', () => {
    const decomposed = 'Văn phòng UBND tỉnh Lâm Đồng'.normalize('NFD');
    expect(recipientLines(`${decomposed}\n\n  vanthu@stc.gov.vn ; VANTHU@stc.gov.vn\nSở Tư pháp  tỉnh Lâm Đồng`)).toEqual([
      'Văn phòng UBND tỉnh Lâm Đồng',
      'vanthu@stc.gov.vn',
      'Sở Tư pháp tỉnh Lâm Đồng',
    ]);
    expect(recipientLines(' \n ;')).toEqual([]);
    expect(replaceRecipient('Sở Tư pháp\nvanthu@stc.gov.vn', 'sở tư pháp', 'vanthu@stp.gov.vn')).toBe('vanthu@stp.gov.vn\nvanthu@stc.gov.vn');
    expect(allResolved([])).toBe(false);
    expect(allResolved([{ given: 'a', ok: true, name: null, address: 'a@b.vn', organId: null, known: false }])).toBe(true);
    expect(allResolved([{ given: 'Sở', ok: false, problem: 'ambiguous', candidates: [] }])).toBe(false);
  });

  it('takes the first PDF as the document and sends it first, appendices after', () => {
    const files = [
      { name: 'Phụ lục.xlsx', contentType: 'application/vnd.ms-excel' },
      { name: 'cong-van.PDF', contentType: 'application/octet-stream' },
      { name: 'ban-ky.pdf', contentType: 'application/pdf' },
    ];
    expect(defaultDocument(files)).toBe(1);
    expect(defaultDocument([{ name: 'a.docx', contentType: 'application/msword' }])).toBe(0);
    expect(defaultDocument([])).toBe(-1);
    expect(orderFiles(['a', 'b', 'c'], 2)).toEqual(['c', 'a', 'b']);
    expect(orderFiles(['a', 'b'], -1)).toEqual(['a', 'b']);
  });

  it('tells how far a sent item has got: with the clerk, returned, issued, delivered, receipt, failed', () => {
    expect(sentStage(item('pending')).key).toBe('sent_pending');
    expect(sentStage(item('issuing')).key).toBe('sent_issuing');
    expect(sentStage(item('returned'))).toEqual({ key: 'sent_returned', tone: 'danger' });
    expect(sentStage(item('issued', [delivery('queued'), delivery('delivered')])).key).toBe('sent_issued');
    expect(sentStage(item('issued', [delivery('delivered'), delivery('received')])).key).toBe('sent_delivered');
    expect(sentStage(item('issued', [delivery('received'), delivery('handled')]))).toEqual({ key: 'sent_received', tone: 'success' });
    expect(sentStage(item('issued', [delivery('received'), delivery('failed')])).key).toBe('sent_failed');
  });

  it('shows each recipient with its receipt', () => {
    const receipt = { state: 'received', inboundId: 'M2', at: '2026-11-23T03:00:00Z', note: 'Đã nhận văn bản' };
    const d = delivery('received', {
      receivedAt: '2026-11-23T03:00:00Z',
      evidence: [{ state: 'delivered', inboundId: 'M1', at: '2026-11-23T02:06:00Z', note: 'local delivery' }, receipt],
    });
    expect(recipientStage(d)).toEqual({ key: 'recipient_received', tone: 'success', at: '2026-11-23T03:00:00Z' });
    expect(receiptOf(d)).toEqual({ at: receipt.at, note: receipt.note });
    expect(recipientStage(delivery('delivered', { evidence: [d.evidence[0]] })).at).toBe('2026-11-23T02:06:00Z');
    expect(receiptOf(delivery('delivered'))).toBeNull();
    expect(recipientStage(delivery('failed')).tone).toBe('danger');
  });

  it('reads a refusal: candidates for the recipients, the draft left in the queue when unsigned', async () => {
    const recipients = [{ given: 'Sở Tư pháp', ok: false, problem: 'ambiguous', candidates: [{ name: 'Sở Tư pháp tỉnh Lâm Đồng', address: 'stp@x.vn' }] }];
    expect(refusalOf({ reason: 'recipients', recipients })).toEqual({ recipients, draftId: null, unsigned: false });
    expect(refusalOf({ reason: 'unsigned', draftId: 'R9' })).toEqual({ recipients: null, draftId: 'R9', unsigned: true });
    expect(refusalOf(null)).toEqual({ recipients: null, draftId: null, unsigned: false });
    // The API client keeps the refusal's body for it.
    const api = new Api(
      'https://gw.example/',
      'tok',
      (async () => new Response(JSON.stringify({ message: 'to: …', reason: 'recipients', recipients }), { status: 400 })) as typeof fetch,
    );
    const err = await api.request('/api/addin/send', { json: {} }).catch((e: unknown) => e);
    expect(refusalOf((err as { body: unknown }).body).recipients).toEqual(recipients);
  });

  it('has every word in Vietnamese and English, NFC', () => {
    expect(Object.keys(sendEn).sort()).toEqual(Object.keys(sendVi).sort());
    for (const v of [...Object.values(sendVi), ...Object.values(sendEn)]) expect(v).toBe(v.normalize('NFC'));
    expect(translator('vi')('sendSubmit')).toBe('Gửi phát hành');
    expect(translator('en')('sendSubmit')).toBe('Send for issuance');
    expect(translator('vi')('sendIssued', { notation: '12/BC-STC', n: 2 })).toBe('Đã phát hành: số 12/BC-STC, đang gửi tới 2 nơi nhận.');
  });
});
