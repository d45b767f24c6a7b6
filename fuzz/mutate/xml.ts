/**
 * XML operations (docs/fuzzing.md, "Mutations"): elements nested to 100,000 levels, entity
 * expansion (billion laughs, recursive entities, thousands of declarations) and DOCTYPE tricks,
 * BOMs, UTF-16 in both byte orders and lying `encoding=` declarations. edXML envelopes, XML
 * signatures and a DOCX's parts get these.
 */
import { CHARSETS } from '../dictionary/mime.ts';
import { bytes, insert, latin1, repeat, utf8 } from './bytes.ts';
import { type Mutations, pick } from './ops.ts';

function xmlEntity(buf: Buffer, a: number, b: number, c: number): Buffer {
  const levels = pick([2, 4, 6, 8, 10], b);
  const defs: string[] = ['<!ENTITY l0 "lol">'];
  for (let i = 1; i <= levels; i++) defs.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
  const variants = [
    `<!DOCTYPE edXMLEnvelope [${defs.join('')}]>`,
    `<!DOCTYPE x [<!ENTITY q "]>">${defs.join('')}]>`,
    `<!DOCTYPE x><!DOCTYPE y [${defs.join('')}]>`,
    `<!doctype x [${defs.join('')}]>`,
    `<!DOCTYPE x [<!ENTITY % p "${'&#37;'.repeat(50)}">${defs.join('')}]>`,
    `<!DOCTYPE x [<!ENTITY a "&b;"><!ENTITY b "&a;">]>`,
    `<!DOCTYPE x [${Array.from({ length: 2000 }, (_, i) => `<!ENTITY e${i} "v">`).join('')}]>`,
  ];
  const decl = pick(variants, c);
  const s = latin1(buf);
  const afterDecl = s.startsWith('<?xml') ? s.indexOf('?>') + 2 : 0;
  const out = insert(buf, c % 4 === 0 ? a : afterDecl, utf8(decl));
  // and use the entity somewhere in a text node
  const t = latin1(out);
  const gt = t.indexOf('>', afterDecl + decl.length + (out.length ? a % Math.max(1, out.length - afterDecl - decl.length) : 0));
  return gt >= 0 ? insert(out, gt + 1, bytes(`&l${levels};&a;&e1;`)) : out;
}

function xmlEncoding(buf: Buffer, b: number, c: number): Buffer {
  const s = buf.toString('utf8');
  switch (b % 5) {
    case 0:
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), buf]);
    case 1:
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
    case 2: {
      const be = Buffer.from(s, 'utf16le');
      for (let i = 0; i + 1 < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1], be[i]];
      return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
    }
    case 3:
      return utf8(s.replace(/encoding="[^"]*"/, `encoding="${pick(CHARSETS, c)}"`));
    default:
      return Buffer.from(s, 'latin1');
  }
}

export const xmlOps = {
  xmlNest: (buf, { a, b, c, d }) => {
    const len = buf.length;
    const n = pick([10, 100, 1000, 10000, 100000], b);
    const tag = pick(['a', 'edXML:Subject', 'w:p', 'x:y', 'Signature', 'edXML:To', 'w:t'], c);
    const open = repeat(bytes(`<${tag}>`), n);
    const piece = d % 2 ? Buffer.concat([open, repeat(bytes(`</${tag}>`), n)]) : open;
    const s = latin1(buf);
    const gt = s.indexOf('>', len ? a % len : 0);
    return insert(buf, gt >= 0 ? gt + 1 : a, piece);
  },
  xmlEntity: (buf, { a, b, c }) => xmlEntity(buf, a, b, c),
  xmlEncoding: (buf, { b, c }) => xmlEncoding(buf, b, c),
} satisfies Mutations;
