/**
 * Administrative text operations (docs/fuzzing.md, "Mutations"): Vietnamese re-encoded to the
 * legacy TCVN3 and VNI fonts' bytes (as old documents still arrive), and the structures of an
 * official document (Nơi nhận, Số, Kính gửi, signature blocks…) repeated up to 100,000 times.
 */
import { unicodeToTcvn3, unicodeToVni } from '../../gateway/documents/legacy-encoding.ts';
import { insert, repeat, utf8 } from './bytes.ts';
import { type Mutations, pick } from './ops.ts';

function legacy(buf: Buffer, a: number, b: number, c: number): Buffer {
  const s = buf.toString('utf8');
  const at = s.length ? a % s.length : 0;
  const l = Math.min(s.length - at, pick([20, 200, 2000, 1e9], c));
  const chunk = s.slice(at, at + l);
  const converted = b % 2 ? unicodeToTcvn3(chunk) : unicodeToVni(chunk);
  const text = s.slice(0, at) + converted + s.slice(at + l);
  // legacy text travels as 8-bit bytes; sometimes it was re-saved as UTF-8
  return b % 3 === 0 ? utf8(text) : Buffer.from(text, 'latin1');
}

export const textOps = {
  legacy: (buf, { a, b, c }) => legacy(buf, a, b, c),
  vnRepeat: (buf, { a, b, c }) => {
    const piece = pick(
      [
        'Nơi nhận:\n- Như trên;\n',
        '- Sở Tài chính;\n',
        'Số: 12/QĐ-UBND\n',
        'TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\n',
        'ngày 01 tháng 01 năm 2026 ',
        '| | | |\n',
        'V/v ',
        'ỦY BAN NHÂN DÂN\n',
        '12/',
        'a\u0301\u0301\u0301',
        '********\n',
        'Kính gửi: ',
      ],
      b,
    );
    return insert(buf, a, repeat(utf8(piece), pick([10, 100, 1000, 20000, 100000], c)));
  },
} satisfies Mutations;
