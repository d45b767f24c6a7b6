/** "Nơi nhận:" list: one recipient per line, "- " in front and ";" behind. */
import type { Doc } from '../prepare.ts';
import { trimPunctuation } from '../text.ts';
import { AUTHORITY, isPersonName, isSignatureNoise, isWebNoise } from './layout.ts';

export function findRecipientsLine(doc: Doc, from = 0): number | null {
  // The last one: the first page may quote "nơi nhận" in the body; the block is at the end.
  for (let i = doc.lines.length - 1; i >= from; i--) if (/^noi nhan\s*:?/.test(doc.folded[i])) return i;
  return null;
}

function looksLikeSigner(line: string, folded: string): boolean {
  return AUTHORITY.test(folded) || (line === line.toUpperCase() && /\p{Lu}{2}/u.test(line)) || isPersonName(line);
}

export function readRecipients(doc: Doc, at: number): string[] {
  const out: string[] = [];
  const inline = doc.lines[at].replace(/^\s*n\S*i\s+nh\S*n\s*:?\s*/iu, '');
  if (inline && !looksLikeSigner(inline, doc.folded[at])) out.push(...inline.split(/;\s*(?=[-+•])/));
  let open = false;
  for (let i = at + 1; i < doc.lines.length && i < at + 40; i++) {
    const line = doc.lines[i];
    const f = doc.folded[i];
    if (isWebNoise(f)) break;
    if (/^[-+•–]/.test(line)) {
      out.push(line);
      open = !/[;.]\s*$/.test(line);
      continue;
    }
    // Signer lines interleave with the list in PDF text; they do not close a broken recipient.
    if (isSignatureNoise(f) || looksLikeSigner(line, f)) continue;
    // A recipient broken over two lines continues without a dash.
    if (open && out.length > 0) {
      out[out.length - 1] += ' ' + line;
      open = !/[;.]\s*$/.test(line);
      continue;
    }
    if (out.length > 0) break;
  }
  return out.map((r) => trimPunctuation(r.replace(/^[-+•–]\s*/, ''))).filter((r) => r.length > 0);
}
