/**
 * Reading a reply (docs/act-by-email.md, "Commands"): the officer's own new lines only — quoted
 * text ("> …", "Vào … đã viết:", "On … wrote:", Outlook's original-message block) and the
 * signature ("-- ") are cut off — and the one command they start with, in Vietnamese with or
 * without diacritics, or in English. Auto-replies are recognised so they are never answered.
 */

export type Command =
  | { kind: 'done'; note: string | null }
  | { kind: 'comment'; text: string }
  | { kind: 'extend'; dueDate: string; reason: string | null }
  | { kind: 'forward'; target: string }
  | { kind: 'decline'; reason: string }
  | { kind: 'view' }
  /** A command word was found but what follows it cannot be used (no date, no reason). */
  | { kind: 'invalid'; command: 'extend' | 'forward' | 'decline' | 'comment'; problem: string }
  | { kind: 'none' };

export type CommandKind = Exclude<Command['kind'], 'invalid' | 'none'>;

/** Lower-case, without diacritics, đ → d: "Đã xử lý" → "da xu ly". One output character per input character. */
export function fold(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFC')) {
    const base = ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    // Same length as the input (UTF-16 units), so a match in the folded text cuts the original.
    out += base === 'đ' ? 'd' : base.length === ch.length ? base : '?'.repeat(ch.length);
  }
  return out;
}

/** Where the quoted part of a reply starts: the line itself is the first line not kept. */
const QUOTE_START = [
  /^\s*>/, // "> quoted"
  /^\s*(vao|luc|on|le|am)\b.{0,200}\b(da viet|viet|wrote|a ecrit|schrieb)\s*:?\s*$/, // "Vào … đã viết:", "On … wrote:"
  /^\s*-{2,}\s*(original message|thu goc|forwarded message|thu chuyen tiep)/, // "-----Original Message-----"
  /^\s*_{10,}\s*$/, // Outlook's rule above the original
  /^\s*(from|tu|nguoi gui)\s*:\s*.*@/, // Outlook: "From: …" / "Từ: …" header block of the original
  /^\s*(sent from my|gui tu|duoc gui tu)\b/, // "Sent from my iPhone"
];

/** The officer's own text: lines before the first quote marker or signature separator ("-- "). */
export function ownText(text: string | null): string {
  const lines = (text ?? '').normalize('NFC').replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    if (line === '-- ' || line === '--' || line === '—') break;
    const f = fold(line);
    if (QUOTE_START.some((re) => re.test(f))) break;
    kept.push(line);
  }
  return kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Command words (folded), longest first within each command; each swallows the separator after it. */
const WORDS: Array<{ kind: CommandKind; re: RegExp }> = [
  { kind: 'done', re: /^(da xu ly xong|da xu ly|xu ly xong|da hoan thanh|hoan thanh|da xong|xong|done|completed|complete|finished)(?![a-z0-9])[\s.,:;!\-–—]*/ },
  { kind: 'comment', re: /^(y kien|gop y|ghi chu|comment|note)(?![a-z0-9])\s*[:\-–—]?\s*/ },
  {
    kind: 'extend',
    re: /^(xin gia han|de nghi gia han|gia han|extend|extension|postpone)(?![a-z0-9])(\s+(den ngay|toi ngay|den|toi|sang|to|until|till))?(\s+ngay)?\s*[:-]?\s*/,
  },
  { kind: 'forward', re: /^(chuyen cho|chuyen den|chuyen|giao cho|forward to|forward|reassign to|assign to)(?![a-z0-9])\s*[:-]?\s*/ },
  { kind: 'decline', re: /^(tu choi|khong nhan|tra lai|decline|refuse|reject)(?![a-z0-9])\s*[:\-–—]?\s*/ },
  { kind: 'view', re: /^(xem lai|xem van ban|xem|gui lai van ban|gui lai|view|show|resend)(?![a-z0-9])[\s.!]*$/ },
];

/** Lines that may come before the command: a greeting. */
const GREETING = /^(kinh gui|kinh thua|chao|xin chao|dear|hi|hello|thua)\b/;

/**
 * The first command in the officer's own text. Only the first three non-empty lines are looked at
 * (after a greeting line, if any); the rest of that line and the lines after it are the command's
 * text (the result note of "done", the comment, the reason of a decline or an extension).
 * `today` (YYYY-MM-DD, Hà Nội) gives the year of a date written without one.
 */
export function parseCommand(text: string | null, today: string): Command {
  const own = ownText(text);
  const lines = own.split('\n');
  let looked = 0;
  for (let i = 0; i < lines.length && looked < 3; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    looked++;
    const f = fold(line);
    if (looked === 1 && GREETING.test(f) && !WORDS.some((w) => w.re.test(f))) continue;
    for (const { kind, re } of WORDS) {
      const m = re.exec(f);
      if (!m) continue;
      const rest = [line.slice(m[0].length), ...lines.slice(i + 1)].join('\n').trim();
      return command(kind, rest, today);
    }
  }
  return { kind: 'none' };
}

function command(kind: CommandKind, rest: string, today: string): Command {
  const body = rest.replace(/^[\s.,:;!\-–—]+/, '').trim();
  switch (kind) {
    case 'done':
      return { kind, note: body || null };
    case 'comment':
      return body ? { kind, text: body } : { kind: 'invalid', command: kind, problem: 'empty' };
    case 'view':
      return { kind };
    case 'decline':
      return body ? { kind, reason: body } : { kind: 'invalid', command: kind, problem: 'no-reason' };
    case 'forward': {
      const target = body
        .split('\n')[0]
        .replace(/[.;,!]+$/, '')
        .trim();
      return target ? { kind, target } : { kind: 'invalid', command: kind, problem: 'no-target' };
    }
    case 'extend': {
      const date = readDate(body, today);
      if (!date) return { kind: 'invalid', command: kind, problem: 'no-date' };
      const after = body.slice(date.length).replace(/^[\s.,:;!\-–—]+/, '');
      const why = /^(vi|ly do|because|reason)(?![a-z0-9])\s*:?\s*/.exec(fold(after));
      const reason = after.slice(why ? why[0].length : 0).trim();
      return { kind, dueDate: date.iso, reason: reason || null };
    }
  }
}

/**
 * A date at the start of `s`: 15/12, 15/12/2026, 15-12-2026, 15.12.2026, 2026-12-15. Without a year:
 * the first such day on or after `today`. Impossible dates (31/02) are no date.
 */
export function readDate(s: string, today: string): { iso: string; length: number } | null {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)/.exec(s);
  const dm = iso ? null : /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?(?![\d/])/.exec(s);
  const m = iso ?? dm;
  if (!m) return null;
  const [y, mo, d] = iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3])] : [dm![3] ? Number(dm![3]) : null, Number(dm![2]), Number(dm![1])];
  const valid = (year: number) => {
    const t = new Date(Date.UTC(year, mo - 1, d));
    return t.getUTCFullYear() === year && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? t.toISOString().slice(0, 10) : null;
  };
  const thisYear = Number(today.slice(0, 4));
  let out: string | null;
  if (y !== null) out = valid(y < 100 ? 2000 + y : y);
  else {
    out = null;
    // The next 29/2 may be up to four years away.
    for (let k = 0; k <= 4 && (!out || out < today); k++) out = valid(thisYear + k);
    if (out && out < today) out = null;
  }
  return out ? { iso: out, length: m[0].length } : null;
}

/** Headers and subjects of automatic answers (RFC 3834, and what Exchange, Gmail and Zimbra send). */
const AUTO_SUBJECT =
  /^(auto(matic)?[ -]?reply|autoreply|out of (the )?office|tra loi tu dong|tu dong tra loi|thu tra loi tu dong|vang mat|khong co mat tai co quan)\b/;

export function isAutoReply(headers: ReadonlyArray<{ key: string; line: string }>, subject: string | null): boolean {
  const value = (name: string) => headers.filter((h) => h.key.toLowerCase() === name).map((h) => fold(h.line.slice(h.line.indexOf(':') + 1).trim()));
  if (value('auto-submitted').some((v) => v !== '' && v !== 'no')) return true;
  if (value('x-autoreply').length || value('x-autorespond').length || value('x-autoresponder').length) return true;
  if (value('precedence').some((v) => ['auto_reply', 'bulk', 'junk', 'list'].includes(v))) return true;
  const s = fold(subject ?? '').replace(/^((re|tl|trl|aw|sv|fw|fwd)\s*:\s*)+/, '');
  return AUTO_SUBJECT.test(s) || /\b(out of office|tra loi tu dong)\b/.test(fold(subject ?? ''));
}
