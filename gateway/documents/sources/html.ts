/**
 * HTML mail bodies to text with the layout the rules need: every table cell, paragraph and line
 * break on its own line. (mailparser's own conversion runs adjacent table cells together, and
 * documents pasted from Word into Outlook arrive as tables.)
 */

const NAMED: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  ndash: '–',
  mdash: '—',
  hellip: '…',
  ldquo: '“',
  rdquo: '”',
  lsquo: '‘',
  rsquo: '’',
  laquo: '«',
  raquo: '»',
  copy: '©',
  reg: '®',
  deg: '°',
};
const ACCENTS: Record<string, string> = { grave: '\u0300', acute: '\u0301', circ: '\u0302', tilde: '\u0303', uml: '\u0308' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
    }
    if (NAMED[e.toLowerCase()]) return NAMED[e.toLowerCase()];
    // Latin letters with an accent (&agrave;, &Ecirc;…): base letter + combining mark, composed.
    const a = /^([a-z])(grave|acute|circ|tilde|uml)$/i.exec(e);
    return a ? (a[1] + ACCENTS[a[2].toLowerCase()]).normalize('NFC') : m;
  });
}

const BLOCK = new Set([
  'p',
  'div',
  'td',
  'th',
  'tr',
  'li',
  'ul',
  'ol',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'tbody',
  'thead',
  'blockquote',
  'section',
  'article',
  'center',
]);
/** Elements dropped with their content (up to the matching end tag). */
const SKIPPED = new Set(['script', 'style', 'head', 'title']);
const TAG_NAME = /\/?([a-z0-9_]*)/iy;

/**
 * One pass over the HTML, linear in its length whatever it holds: the regular expressions this
 * replaced (`<!--[\s\S]*?-->`, `<br\b[^>]*>`, `<[^>]*>`…) each rescanned to the end of the text
 * from every unterminated `<` or `<!--`, which held a thread for minutes on a 4 MB body.
 */
function stripTags(html: string): string {
  const lower = html.toLowerCase();
  const out: string[] = [];
  // First position of a closing tag found for a skipped element (valid while we are before it), or -1 for none left.
  const closeAt = new Map<string, number>();
  let commentEnd = -2;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    out.push(html.slice(i, lt));
    i = lt;
    if (html.startsWith('<!--', lt)) {
      if (commentEnd !== -1 && commentEnd < lt + 4) commentEnd = html.indexOf('-->', lt + 4);
      if (commentEnd >= 0) {
        i = commentEnd + 3;
        continue;
      }
    }
    // As in HTML, `<` not followed by a letter, `/`, `!` or `?` is text ("a < b").
    if (!/[a-z/!?]/i.test(html[lt + 1] ?? '')) {
      out.push('<');
      i = lt + 1;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    // No `>` anywhere after: the rest is text.
    if (gt < 0) break;
    TAG_NAME.lastIndex = lt + 1;
    const m = TAG_NAME.exec(html);
    const closing = html[lt + 1] === '/';
    const name = (m?.[1] ?? '').toLowerCase();
    if (!closing && SKIPPED.has(name)) {
      const end = closeTag(html, lower, name, lt + 1 + name.length, closeAt);
      if (end >= 0) {
        i = end;
        continue;
      }
    }
    out.push(BLOCK.has(name) || (name === 'br' && !closing) ? '\n' : '');
    i = gt + 1;
  }
  out.push(html.slice(i));
  return out.join('');
}

/** The end of `</name\s*>` at or after `from`, or -1; remembers what it found, so that each candidate is looked at once. */
function closeTag(html: string, lower: string, name: string, from: number, cache: Map<string, number>): number {
  let at = cache.get(name);
  if (at === -1) return -1;
  if (at === undefined || at < from) at = lower.indexOf(`</${name}`, from);
  for (;;) {
    if (at < 0) {
      cache.set(name, -1);
      return -1;
    }
    let j = at + 2 + name.length;
    while (j < html.length && /\s/.test(html[j])) j++;
    if (html[j] === '>') {
      cache.set(name, at);
      return j + 1;
    }
    at = lower.indexOf(`</${name}`, at + 1);
  }
}

/** ` *\n *` → `\n` without a regular expression (one that backtracks over long runs of spaces). */
function trimLines(text: string): string {
  return text
    .split('\n')
    .map((line, k, all) => {
      let a = 0;
      let b = line.length;
      if (k > 0) while (a < b && line.charCodeAt(a) === 32) a++;
      if (k < all.length - 1) while (b > a && line.charCodeAt(b - 1) === 32) b--;
      return line.slice(a, b);
    })
    .join('\n');
}

export function htmlToText(html: string): string {
  const text = stripTags(html).replace(/[ \t\r]+/g, ' ');
  return trimLines(decodeEntities(text).normalize('NFC'))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
