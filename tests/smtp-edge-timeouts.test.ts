/**
 * Issue 13 §4: the SMTP edge closes slow clients (docs/security-smtp.md): idle connections, a
 * slowloris that dribbles a command, NOOP loops, a client that stalls or dribbles mid-DATA (nothing
 * stored, the spool's temp file removed), while a sender that keeps up is served. A real gateway on
 * 127.0.0.1 with small timeouts; every wait ends on an observable event (a reply, the socket
 * closing); nothing asserts how long something took.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { RawSmtpClient, dribble, forever } from './helpers/smtp-client.ts';
import { FROM, UNIT, message, openFrom, rowsWith, tmpFiles, wellBehaved } from './helpers/smtp-edge.ts';

describe('SMTP edge: timeouts close slow clients', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        c.smtp.socketTimeoutMs = 600; // idle
        c.smtp.commandTimeoutMs = 1500; // progress between mail commands
        c.smtp.dataTimeoutMs = 1500; // 354 to the final dot
      },
    });
  });
  afterAll(() => gw?.close());

  it('closes an idle connection after the idle timeout', async () => {
    const c = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.2');
    await c.closed;
    expect(c.replies.at(-1)).toMatch(/^421 /);
  });

  it('closes a slowloris that dribbles a command byte by byte (no progress), though each byte resets the idle timeout', async () => {
    const c = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.2');
    await dribble(c, forever('EHLO slowloris.example'), 50); // a byte every 50 ms, idle timeout 600 ms
    await c.closed;
    expect(c.replies.at(-1)).toMatch(/^421 4\.4\.2 .*no mail transaction progress/);
  });

  it('closes a client that loops on NOOP without ever sending mail', async () => {
    const c = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.2');
    await c.command('EHLO noop.example');
    while (!c.isClosed) {
      const r = await c.command('NOOP').catch(() => null);
      if (r && !r.startsWith('250')) break;
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), c.closed]);
    }
    await c.closed;
    expect(c.replies.at(-1)).toMatch(/^421 4\.4\.2 /);
  });

  it('drops a client that stalls mid-DATA: nothing stored, the spool temp file removed', async () => {
    const c = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.3');
    await c.command('EHLO stall.example');
    expect(await c.command(`MAIL FROM:<${FROM}>`)).toMatch(/^250/);
    expect(await c.command(`RCPT TO:<${UNIT}>`)).toMatch(/^250/);
    expect(await c.command('DATA')).toMatch(/^354/);
    // Over 1 MiB, so the spool has moved the message to a temp file; then silence.
    c.write(message('stalled', `${'x'.repeat(76)}\r\n`.repeat(20_000)));
    const sawTemp = waitFor(() => tmpFiles(gw).length > 0 || c.isClosed, 30_000, 'a spool temp file').then(() => tmpFiles(gw).length > 0);
    await c.closed;
    expect(c.replies.at(-1)).toMatch(/^421 /);
    expect(await sawTemp).toBe(true);
    await waitFor(() => tmpFiles(gw).length === 0, 15_000, 'the temp file to be removed');
    expect(await rowsWith(gw, '<stalled@ubnd.bentre.gov.vn>')).toHaveLength(0);
  });

  it('drops a client that dribbles its message past the DATA timeout; nothing stored', async () => {
    const c = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.3');
    await c.command('EHLO dribble.example');
    expect(await c.command(`MAIL FROM:<${FROM}>`)).toMatch(/^250/);
    expect(await c.command(`RCPT TO:<${UNIT}>`)).toMatch(/^250/);
    expect(await c.command('DATA')).toMatch(/^354/);
    c.write('Message-ID: <dribbled@ubnd.bentre.gov.vn>\r\nSubject: slow\r\n\r\n');
    await dribble(c, forever('noi dung\r\n'), 50); // never reaches the final dot
    expect(c.replies.at(-1)).toMatch(/^421 4\.4\.2 .*not received in full/);
    await c.closed;
    await waitFor(() => openFrom(gw, '127.0.0.3') === 0, 15_000, 'the session to end');
    expect(await rowsWith(gw, '<dribbled@ubnd.bentre.gov.vn>')).toHaveLength(0);
  });

  it('still accepts a message whose sender keeps up', async () => {
    const info = await wellBehaved(gw, '127.0.0.4').sendMail({ envelope: { from: FROM, to: [UNIT] }, raw: message('prompt') });
    expect(info.response).toMatch(/^250 /);
  });
});
