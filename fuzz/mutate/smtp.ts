/**
 * SMTP session operations (docs/fuzzing.md, "Mutations"): command lines (pipelined, repeated up to
 * a thousand times) put in after a line end, and every dot and line-end sequence around DATA.
 * An SMTP input's message bodies are mutated as MIME by the `inner` kind (mime.ts).
 */
import { SMTP_ADDRESSES, SMTP_PARAMS, SMTP_VERBS } from '../dictionary/smtp.ts';
import { bytes, insert, latin1, repeat, utf8 } from './bytes.ts';
import { type Mutations, pick } from './ops.ts';

export const smtpOps = {
  smtpLine: (buf, { a, b, c, d }) => {
    const len = buf.length;
    const verb = pick(SMTP_VERBS, b);
    const arg = verb.endsWith(':')
      ? pick(SMTP_ADDRESSES, c) + pick(SMTP_PARAMS, d)
      : c % 3
        ? ` ${pick(['x', 'mx.example', '[127.0.0.1]', '', 'a'.repeat(600)], d)}`
        : '';
    const line = utf8(`${verb}${arg}\r\n`);
    const s = latin1(buf);
    const eol = s.indexOf('\n', len ? a % len : 0);
    return insert(buf, eol >= 0 ? eol + 1 : a, d % 8 === 0 ? repeat(line, pick([10, 100, 1000], c)) : line);
  },
  dataDots: (buf, { a, b, c, d }) => {
    const seq = pick(['\n.\n', '\r.\r', '\n.\r\n', '\r\n.\n', '\r\n..\r\n', '\r\n.\r\n', '\r\n.\r', '.\r\n', '\r\n. \r\n', '\r\n.\x00\r\n', '\n..\n'], b);
    return insert(buf, a, c % 8 === 0 ? repeat(bytes(seq), pick([10, 1000], d)) : bytes(seq));
  },
} satisfies Mutations;
