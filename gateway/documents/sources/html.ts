/**
 * HTML mail bodies to text with the layout the rules need: every table cell, paragraph and line
 * break on its own line. (mailparser's own conversion runs adjacent table cells together, and
 * documents pasted from Word into Outlook arrive as tables.)
 */

const NAMED: Record<string, string> = {
  nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", ndash: '–', mdash: '—', hellip: '…', ldquo: '“', rdquo: '”',
  lsquo: '‘', rsquo: '’', laquo: '«', raquo: '»', copy: '©', reg: '®', deg: '°',
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

export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\b[^>]*>/gi, '\n')
    .replace(/<\/?(p|div|td|th|tr|li|ul|ol|h[1-6]|table|tbody|thead|blockquote|section|article|center)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/[ \t\r]+/g, ' ');
  return decodeEntities(text).normalize('NFC').replace(/ *\n */g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}
