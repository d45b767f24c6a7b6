/**
 * Hostile input: random byte changes and truncations of signed files must give a verdict with
 * a reason (never an exception), and a change inside signed bytes must never come out `valid`.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyDocument, verifyMessage, type TrustStore, type VerifyReport } from '../gateway/trust/index.ts';
import { ensureFixtures, type Fixtures } from './fixtures/trust/make-fixtures.ts';
import { fixtureStore } from './fixtures/trust/store.ts';
import { prng } from './helpers/prng.ts';

let fx: Fixtures;
let trust: TrustStore;
beforeAll(async () => {
  fx = await ensureFixtures();
  trust = await fixtureStore(fx);
});

function mutate(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at] ^ 0x01;
  return copy;
}

function explained(report: VerifyReport): boolean {
  return report.signatures.every((s) => s.verdict === 'valid' || s.reasons.length > 0);
}

describe('robustness', () => {
  it('PDF: flipped bits in the signed ranges are never valid; anything else never crashes', () => {
    const pdf = readFileSync(fx.pdf.valid);
    const [, b, c, d] = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(pdf.toString('latin1'))!.slice(1).map(Number);
    const random = prng(1);
    for (let i = 0; i < 300; i++) {
      const at = Math.floor(random() * pdf.length);
      const report = verifyDocument(mutate(pdf, at), 'pdf', { trust });
      expect(explained(report)).toBe(true);
      const signedByte = at < b || (at >= c && at < c + d);
      if (signedByte) expect(report.verdict, `bit flipped at ${at}`).not.toBe('valid');
    }
  });

  it('PDF: truncations never crash', () => {
    const pdf = readFileSync(fx.pdf['twice-signed']);
    const random = prng(2);
    for (let i = 0; i < 100; i++) {
      const report = verifyDocument(pdf.subarray(0, Math.floor(random() * pdf.length)), 'pdf', { trust });
      expect(explained(report)).toBe(true);
      expect(report.verdict).not.toBe('valid');
    }
  });

  it('S/MIME and edXML: flipped bits never crash, and the signed text is never accepted changed', async () => {
    const random = prng(3);
    const detached = readFileSync(fx.smime.detached);
    const boundary = /boundary="([^"]+)"/.exec(detached.toString('latin1'))![1];
    const signedStart = detached.indexOf(`--${boundary}\r\n`) + boundary.length + 4;
    const signedEnd = detached.indexOf(`\r\n--${boundary}`, signedStart);
    for (let i = 0; i < 60; i++) {
      const at = signedStart + Math.floor(random() * (signedEnd - signedStart));
      const report = await verifyMessage(mutate(detached, at), { trust });
      expect(explained(report)).toBe(true);
      expect(report.verdict, `bit flipped at ${at}`).not.toBe('valid');
    }
    const opaque = readFileSync(fx.smime.opaque);
    for (let i = 0; i < 60; i++) {
      expect(explained(await verifyMessage(mutate(opaque, Math.floor(random() * opaque.length)), { trust }))).toBe(true);
    }
    const xml = readFileSync(fx.xml.valid);
    for (let i = 0; i < 150; i++) {
      const at = Math.floor(random() * xml.length);
      const report = verifyDocument(mutate(xml, at), 'xml', { trust });
      expect(explained(report)).toBe(true);
    }
  });

  it('random garbage of any kind is indeterminate, invalid or unsigned', async () => {
    const random = prng(4);
    for (let i = 0; i < 30; i++) {
      const junk = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 3000) }, () => Math.floor(random() * 256)));
      for (const bytes of [junk, Buffer.concat([Buffer.from('%PDF-1.7\n/ByteRange [0 10 20 30] /Contents <'), junk])]) {
        expect(['indeterminate', 'invalid', 'unsigned']).toContain(verifyDocument(bytes, 'pdf', { trust }).verdict);
        expect(['indeterminate', 'invalid', 'unsigned']).toContain(verifyDocument(bytes, 'xml', { trust }).verdict);
      }
      const mime = Buffer.concat([
        Buffer.from('Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\n'),
        Buffer.from(junk.toString('base64')),
      ]);
      expect(['indeterminate', 'invalid']).toContain((await verifyMessage(mime, { trust })).verdict);
    }
  });
});
