import { describe, expect, it } from 'vitest';
import { verifyXml, XML_LIMITS } from './xml.ts';
import { TrustStore } from './store.ts';

const ctx = { store: new TrustStore([], []), now: new Date('2026-11-23T02:00:00Z') };
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
// Hostile inputs here are sized so that super-linear work would run for minutes: the suite's
// 30 s test time-out catches that, without asserting how fast this machine is (docs/testing.md).
const run = (xml: string) => ({ reports: verifyXml(Buffer.from(xml, 'utf8'), ctx, 'test.xml') });
const reasons = (xml: string) => run(xml).reports.map((r) => `${r.verdict}: ${r.reasons[0]}`);

describe('verifyXml on hostile input', () => {
  it('answers "not well-formed" for what xmldom throws on by itself (CDATA outside the root)', () => {
    expect(reasons('<t><![CDATA[<]]>\n')).toEqual([expect.stringMatching(/^indeterminate: not well-formed XML/)]);
  });

  it('refuses a DTD at once instead of adding 100,000 entity declarations node by node', () => {
    const decls = Array.from({ length: 100_000 }, (_, i) => `<!ENTITY e${i} "v">`).join('');
    expect(reasons(`<!DOCTYPE x [${decls}]><x>&e1;</x>`)).toEqual([expect.stringMatching(/^indeterminate: not accepted: the document declares a DTD/)]);
    expect(reasons('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><x>&lol;</x>')).toEqual([
      expect.stringMatching(/^indeterminate: not accepted: the document declares a DTD/),
    ]);
  });

  it('stops at the first parse error instead of recovering from each of a million stray "<"', () => {
    const { reports } = run(`<a>${'<'.repeat(1_000_000)}</a>`);
    expect(reports.map((r) => r.verdict)).toEqual(['indeterminate']);
    expect(reports[0].reasons[0]).toMatch(/not well-formed XML/);
  });

  it('refuses nesting deeper than the limit (xmldom and XPath walk it recursively / super-linearly)', () => {
    const n = 50_000;
    const { reports } = run(`<a>${'<b>'.repeat(n)}${'</b>'.repeat(n)}<Signature xmlns="${DSIG}"/></a>`);
    expect(reports.map((r) => r.verdict)).toEqual(['indeterminate']);
    expect(reports[0].reasons[0]).toMatch(new RegExp(`deeper than ${XML_LIMITS.maxDepth} levels`));
  });

  it('refuses more signatures than the limit (each walks and digests the document)', () => {
    const sig = `<Signature xmlns="${DSIG}"/>`;
    expect(reasons(`<a>${sig.repeat(XML_LIMITS.maxSignatures + 1)}</a>`)).toEqual([
      expect.stringMatching(/^indeterminate: the XML document carries more than \d+ XML signatures/),
    ]);
    // nested signatures: O(n²) subtree walks before the limit
    const { reports } = run(`<a>${`<Signature xmlns="${DSIG}">`.repeat(100)}${'</Signature>'.repeat(100)}</a>`);
    expect(reports.map((r) => r.verdict)).toEqual(['indeterminate']);
  });

  it('refuses more elements than the limit', () => {
    expect(reasons(`<a>${'<b/>'.repeat(XML_LIMITS.maxElements)}</a>`)).toEqual([
      expect.stringMatching(/^indeterminate: the XML document has more than \d+ elements/),
    ]);
  });

  it('still finds the signatures of an ordinary document within the limits', () => {
    const sig = `<Signature xmlns="${DSIG}"><SignedInfo/></Signature>`;
    expect(reasons(`<a><b><c/></b>${sig}<d/>${sig}</a>`)).toEqual([
      expect.stringMatching(/no readable X509Certificate/),
      expect.stringMatching(/no readable X509Certificate/),
    ]);
    expect(run('<a><b/></a>').reports).toEqual([]);
  });
});
