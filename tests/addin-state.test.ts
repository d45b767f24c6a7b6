/** Unit tests of the task pane's logic (no browser): screens, problems, ordering, corrections, MIME, words, API errors. */
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { Api, ApiError, apiBase, kindForStatus } from '../addin/src/api.ts';
import { localeFor, translator } from '../addin/src/i18n.ts';
import { buildMime, encodeWord } from '../addin/src/mime.ts';
import {
  corrections,
  daysLeft,
  dueLabel,
  identify,
  messageScreen,
  missingFields,
  nextStatuses,
  parseSession,
  prefill,
  problemFor,
  sortMyWork,
  verdictTone,
} from '../addin/src/state.ts';
import type { DocumentInfo, LookupResult, UserInfo } from '../addin/src/types.ts';

const user = (role: UserInfo['role']): UserInfo => ({ id: 'U1', email: 'a@stc.lamdong.gov.vn', name: 'Nguyễn Văn A', role, unitId: 'stc', department: null });

function doc(over: Partial<DocumentInfo> = {}): DocumentInfo {
  return {
    id: 'D1',
    unitId: 'stc',
    inboundId: 'M1',
    internetMessageId: '<m1@x>',
    status: 'received',
    reasons: [],
    bookYear: 2026,
    bookNumber: 7,
    arrivalAt: '2026-11-20T02:00:00Z',
    registeredAt: '2026-11-20T02:01:00Z',
    notation: '12/UBND-VX',
    issuer: 'UBND tỉnh Bến Tre',
    issuedDate: '2026-11-18',
    typeCode: 'CV',
    typeName: 'Công văn',
    subject: 'Về việc chữ ký số',
    urgency: 'normal',
    secrecy: 'normal',
    signer: null,
    senderAddress: null,
    confidence: 0.9,
    verdict: 'valid',
    department: null,
    assigneeId: null,
    dueDate: null,
    handlingNotes: null,
    ...over,
  };
}

function lookup(over: Partial<LookupResult> = {}): LookupResult {
  return {
    found: true,
    match: 'message-id',
    stages: { parse: 'done', register: 'done' },
    classification: { kind: 'document' },
    verification: null,
    message: { id: 'M1', messageId: '<m1@x>', subject: 's', fromAddr: null, receivedAt: '2026-11-20T02:00:00Z', state: 'decided', unitIds: ['stc'] },
    ...over,
  };
}

describe('which screen a message gets', () => {
  it('shows a registered document to whoever may see it', () => {
    for (const status of ['received', 'assigned', 'in_progress', 'done'])
      expect(messageScreen(lookup(), doc({ status }), user('officer')).screen).toBe('document');
  });
  it('gives clerks the register form for a review item, and others a note that the clerk is on it', () => {
    expect(messageScreen(lookup(), doc({ status: 'review' }), user('clerk')).screen).toBe('register');
    expect(messageScreen(lookup(), doc({ status: 'review' }), user('admin')).screen).toBe('register');
    expect(messageScreen(lookup(), doc({ status: 'review' }), user('leader')).screen).toBe('awaiting-clerk');
  });
  it('tells apart: not stored, still processing, failed, not a document, quarantined, not yours', () => {
    expect(messageScreen(null, null, user('clerk'))).toEqual({ screen: 'not-stored', canIngest: true });
    expect(messageScreen(null, null, user('officer'))).toEqual({ screen: 'not-stored', canIngest: false });
    expect(messageScreen(lookup({ stages: { parse: 'done' } }), null, user('officer')).screen).toBe('processing');
    expect(messageScreen(lookup({ stages: { parse: 'failed' } }), null, user('officer')).screen).toBe('failed');
    expect(messageScreen(lookup({ classification: { kind: 'correspondence' } }), null, user('clerk')).screen).toBe('not-document');
    expect(messageScreen(lookup(), doc({ status: 'not_document' }), user('clerk')).screen).toBe('not-document');
    expect(messageScreen(lookup(), doc({ status: 'quarantined' }), user('clerk')).screen).toBe('quarantined');
    expect(messageScreen(lookup(), null, user('officer')).screen).toBe('not-yours');
  });
});

describe('problems say what to do next', () => {
  it('maps each failure to a title, help and action', () => {
    expect(problemFor({ kind: 'unreachable', message: 'fetch failed' })).toMatchObject({
      title: 'unreachableTitle',
      help: 'unreachableHelp',
      action: 'retry',
      detail: null,
    });
    expect(problemFor({ kind: 'unauthenticated', message: '' })).toMatchObject({ help: 'sessionExpired', action: 'sign-in' });
    expect(problemFor({ kind: 'forbidden', message: 'Không có quyền' })).toMatchObject({ title: 'forbiddenTitle', detail: 'Không có quyền', action: null });
    expect(problemFor({ kind: 'server', message: 'Lỗi hệ thống' })).toMatchObject({ title: 'serverTitle', action: 'retry' });
    expect(problemFor({ kind: 'invalid', message: 'dueDate: ngày dạng YYYY-MM-DD' })).toMatchObject({
      title: 'invalidTitle',
      detail: 'dueDate: ngày dạng YYYY-MM-DD',
    });
  });
  it('classifies HTTP statuses', () => {
    expect([401, 403, 404, 409, 400, 422, 500, 503].map(kindForStatus)).toEqual([
      'unauthenticated',
      'forbidden',
      'not-found',
      'conflict',
      'invalid',
      'invalid',
      'server',
      'server',
    ]);
  });
});

describe('sessions', () => {
  const s = { token: 't', expiresAt: '2026-11-23T12:00:00Z', user: user('officer') };
  it('keeps a valid session and drops expired or malformed ones', () => {
    expect(parseSession(JSON.stringify(s), new Date('2026-11-23T11:59:00Z'))).toEqual(s);
    expect(parseSession(JSON.stringify(s), new Date('2026-11-23T12:00:00Z'))).toBeNull();
    expect(parseSession('{"token":1}')).toBeNull();
    expect(parseSession('not json')).toBeNull();
    expect(parseSession(null)).toBeNull();
  });
});

describe('"Việc của tôi" by deadline', () => {
  const today = '2026-11-23';
  it('counts days and labels them', () => {
    expect(daysLeft('2026-11-20', today)).toBe(-3);
    expect(daysLeft(null, today)).toBeNull();
    expect(dueLabel('2026-11-20', today)).toEqual({ key: 'overdueBy', n: 3, tone: 'danger' });
    expect(dueLabel('2026-11-23', today)).toEqual({ key: 'dueToday', n: 0, tone: 'warning' });
    expect(dueLabel('2026-11-25', today)).toEqual({ key: 'dueIn', n: 2, tone: 'warning' });
    expect(dueLabel('2026-12-25', today).tone).toBe('neutral');
  });
  it('puts the most overdue first, undated last, and leaves out closed items', () => {
    const items = [
      doc({ id: 'later', dueDate: '2026-12-01' }),
      doc({ id: 'none', dueDate: null }),
      doc({ id: 'late1', dueDate: '2026-11-22', status: 'in_progress' }),
      doc({ id: 'done', dueDate: '2026-11-01', status: 'done' }),
      doc({ id: 'late5', dueDate: '2026-11-18', status: 'assigned' }),
      doc({ id: 'soon', dueDate: '2026-11-24' }),
    ];
    expect(sortMyWork(items, today).map((d) => d.id)).toEqual(['late5', 'late1', 'soon', 'later', 'none']);
  });
  it('offers the next statuses the registry accepts, by role', () => {
    expect(nextStatuses('assigned', 'officer')).toEqual(['in_progress', 'done']);
    expect(nextStatuses('in_progress', 'leader')).toEqual(['done']);
    expect(nextStatuses('done', 'officer')).toEqual([]);
    expect(nextStatuses('received', 'clerk')).toEqual([]);
  });
  it('colours verdicts', () => {
    expect(['valid', 'invalid', 'revoked', 'untrusted', 'unsigned', null].map(verdictTone)).toEqual([
      'success',
      'danger',
      'danger',
      'warning',
      'neutral',
      'neutral',
    ]);
  });
});

describe('registering: corrections', () => {
  const original = prefill(doc({ notation: '12/UBND-VX', signer: null, dueDate: null }));
  it('sends only what the clerk changed, in NFC, with emptied fields as null', () => {
    const nfd = 'Ủy ban nhân dân tỉnh Vĩnh Long'.normalize('NFD');
    const values = { ...original, notation: ' 12/UBND-VX ', issuer: `  ${nfd} `, subject: '', dueDate: '2026-12-01' };
    expect(corrections(original, values)).toEqual({ issuer: 'Ủy ban nhân dân tỉnh Vĩnh Long', subject: null, dueDate: '2026-12-01' });
    expect(corrections(original, original)).toEqual({});
  });
  it('names the required fields left empty', () => {
    expect(missingFields({ ...original, notation: ' ', subject: '' })).toEqual(['notation', 'subject']);
  });
});

describe('finding the message', () => {
  const hit = lookup();
  it('asks by Message-ID first and sends the MIME only when that finds nothing', async () => {
    const seen: string[] = [];
    const byId = async (id: string) => (seen.push(`id:${id}`), id === '<known@x>' ? hit : null);
    const byMime = async () => (seen.push('mime'), hit);
    expect(await identify('<known@x>', byId, byMime)).toBe(hit);
    expect(seen).toEqual(['id:<known@x>']);
    expect(await identify('<other@x>', byId, byMime)).toBe(hit);
    expect(await identify(null, byId, byMime)).toBe(hit);
    expect(seen).toEqual(['id:<known@x>', 'id:<other@x>', 'mime', 'mime']);
  });
});

describe('MIME rebuilt from item properties (hosts before Mailbox 1.14)', () => {
  it('keeps the Message-ID, Vietnamese subject and names, body and attachments', async () => {
    const raw = buildMime({
      messageId: 'abc@ubnd.bentre.gov.vn',
      subject: 'Công văn số 12/UBND-VX về việc chữ ký số',
      from: { name: 'Văn thư UBND', address: 'vanthu@ubnd.bentre.gov.vn' },
      to: [{ name: 'Sở Tài chính', address: 'vanthu@stc.lamdong.gov.vn' }],
      cc: [],
      date: new Date('2026-11-23T02:00:00Z'),
      text: 'Kính gửi: Sở Tài chính\nSố: 12/UBND-VX',
      attachments: [{ name: 'Công văn 12.pdf', contentType: 'application/pdf', base64: Buffer.from('%PDF-1.7 test').toString('base64') }],
    });
    const m = await simpleParser(raw);
    expect(m.messageId).toBe('<abc@ubnd.bentre.gov.vn>');
    expect(m.subject).toBe('Công văn số 12/UBND-VX về việc chữ ký số');
    expect(m.from?.value[0]).toEqual({ name: 'Văn thư UBND', address: 'vanthu@ubnd.bentre.gov.vn' });
    expect(m.text?.trim()).toBe('Kính gửi: Sở Tài chính\nSố: 12/UBND-VX');
    expect(m.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['Công văn 12.pdf', '%PDF-1.7 test']]);
    expect(m.date?.toISOString()).toBe('2026-11-23T02:00:00.000Z');
  });
  it('leaves ASCII headers readable', () => {
    expect(encodeWord('Re: report')).toBe('Re: report');
    expect(encodeWord('Báo cáo')).toMatch(/^=\?UTF-8\?B\?/);
  });
});

describe('words', () => {
  it('speaks Vietnamese to a Vietnamese Office and English to the rest', () => {
    expect(localeFor('vi-VN')).toBe('vi');
    expect(localeFor('vi')).toBe('vi');
    expect(localeFor('en-US')).toBe('en');
    expect(localeFor('fr-FR')).toBe('en');
    expect(localeFor(undefined)).toBe('en');
    expect(translator('vi')('overdueBy', { n: 3 })).toBe('Quá hạn 3 ngày');
    expect(translator('en')('overdueBy', { n: 3 })).toBe('3 days overdue');
    const s = translator('vi')('tabMyWork');
    expect(s).toBe('Việc của tôi');
    expect(s).toBe(s.normalize('NFC'));
  });
});

describe('the API client', () => {
  it('sends the token, JSON and raw MIME, and turns failures into kinds', async () => {
    const requests: Array<{ url: string; init: RequestInit }> = [];
    const fake = (status: number, body: string) =>
      (async (url: URL | RequestInfo, init?: RequestInit) => (
        requests.push({ url: String(url), init: init ?? {} }), new Response(body, { status })
      )) as typeof fetch;
    const api = new Api('https://gw.example/', 'tok', fake(200, '{"ok":true}'));
    expect(await api.request('/api/x', { json: { a: 1 }, query: { q: 'Việc', skip: undefined } })).toEqual({ ok: true });
    expect(requests[0].url).toBe('https://gw.example/api/x?q=Vi%E1%BB%87c');
    expect((requests[0].init.headers as Record<string, string>).authorization).toBe('Bearer tok');
    expect(requests[0].init.method).toBe('POST');
    await api.request('/api/y', { raw: new Uint8Array([1, 2]) });
    expect((requests[1].init.headers as Record<string, string>)['content-type']).toBe('message/rfc822');
    const denied = new Api('https://gw.example/', null, fake(403, '{"message":"Không có quyền thực hiện"}'));
    await expect(denied.request('/api/z')).rejects.toMatchObject({ kind: 'forbidden', status: 403, message: 'Không có quyền thực hiện' });
    const down = new Api('https://gw.example/', null, (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch);
    const err = await down.request('/api/z').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ kind: 'unreachable', status: 0 });
    await expect(new Api('https://gw.example/', null, fake(502, '<html>Bad gateway</html>')).request('/x')).rejects.toMatchObject({
      kind: 'server',
      message: '<html>Bad gateway</html>',
    });
  });
  it('finds the API next to the pane, behind any path prefix', () => {
    expect(apiBase('https://gw.example/addin/taskpane.html')).toBe('https://gw.example/');
    expect(apiBase('https://gw.example/vanthu/addin/taskpane.html?x=1')).toBe('https://gw.example/vanthu/');
  });
});
