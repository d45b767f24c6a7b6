/**
 * Text that came in a mail is cleaned once, where it enters (MIME parsing, the accept path, a
 * stage result on its way to the database): no NUL or other control characters, and well-formed
 * UTF-16 (a lone surrogate becomes U+FFFD), so it can always be stored — PostgreSQL refuses a NUL
 * in text and in jsonb, and a lone surrogate in jsonb — and shown.
 *
 * - fields (subject, names, addresses, file names, header values, Message-IDs): TAB, CR and LF
 *   become spaces; every other C0 control, DEL and the C1 controls are removed;
 * - text (bodies, extracted document text): TAB, CR and LF are kept, the other controls removed.
 */

// The surrogate range also matches valid pairs (emoji): those strings take the slow path, which
// leaves them as they are.
const UNSAFE_FIELD = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;
const UNSAFE_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff]/;
const FIELD_SPACES = /[\t\r\n]/g;
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\ufffd');
}

/** A one-line value from a header (or derived from one); null and undefined stay null. */
export function cleanField(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  if (!UNSAFE_FIELD.test(s)) return s;
  return wellFormed(s.replace(FIELD_SPACES, ' ').replace(CONTROLS, ''));
}

/** Multi-line text: line breaks and tabs kept. */
export function cleanText(s: string): string;
export function cleanText(s: string | null | undefined): string | null;
export function cleanText(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  if (!UNSAFE_TEXT.test(s)) return s;
  return wellFormed(s.replace(CONTROLS, ''));
}

/** True when the string needs cleaning as a field (for tests and callers that want to know). */
export function needsCleaning(s: string): boolean {
  return UNSAFE_FIELD.test(s) && cleanField(s) !== s;
}

/**
 * A value on its way into a jsonb column: every string (and object key) cleaned as text. Objects
 * that are not plain (Date, Buffer) are left to JSON serialisation; cycles are not expected.
 */
export function cleanDeep<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = cleanDeep(value[i], depth + 1);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return (out ?? value) as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  // Most values need nothing: they are read without building anything, and copied (in the same
  // order) only from the first key or value that changes.
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = obj[k];
    const ck = cleanText(k);
    const cv = cleanDeep(v, depth + 1);
    if (ck === k && cv === v) continue;
    // As entries, not assignments: a key "__proto__" stays a key (JSON.parse makes such keys).
    const entries: Array<[string, unknown]> = [];
    for (let j = 0; j < i; j++) entries.push([keys[j], obj[keys[j]]]);
    entries.push([ck, cv]);
    for (let j = i + 1; j < keys.length; j++) entries.push([cleanText(keys[j]), cleanDeep(obj[keys[j]], depth + 1)]);
    return Object.fromEntries(entries) as T;
  }
  return value;
}
