/**
 * Signer block at the end: authority lines ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "TL.", "TUQ.",
 * "Q."), the title ("PHÓ CHỦ TỊCH") and the name. When several authority lines stack, the one
 * nearest the title is the signer's authority ("KT. Chủ tịch"). In PDF text the block may be
 * interleaved with the "Nơi nhận" column, so recipient lines are skipped, not treated as an end.
 */
import { organizationCase, personNameCase, titleCase } from '../casing.ts';
import type { Doc } from '../prepare.ts';
import type { Signer } from '../types.ts';
import { isUpperLine } from '../text.ts';
import { AUTHORITY, isPersonName, isSignatureNoise, isWebNoise } from './layout.ts';

export const TITLE_WORDS =
  /^(pho |chanh )*(chu tich|giam doc|truong phong|truong ban|bo truong|thu truong|thu tuong|cuc truong|vu truong|hieu truong|vien truong|chanh van phong|van phong|thanh tra|tong giam doc|tong cuc truong|chi cuc truong|chu nhiem|bi thu|ke toan truong|truong doan|chi huy truong|nguoi dung dau)\b/;

export function authorityCase(line: string, match: RegExpExecArray): string {
  const code = match[1].replace('/', '').toUpperCase();
  const rest = line.slice(match[0].length).trim();
  const body = TITLE_WORDS.test(foldRest(rest)) ? titleCase(rest) : organizationCase(rest);
  return `${code}. ${body}`;
}

function foldRest(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();
}

function isRecipientLine(line: string): boolean {
  return /^[-+•–]/.test(line);
}

/** Finds the signer in lines [from, to). */
export function findSigner(doc: Doc, from: number, to: number): { signer: Signer; index: number } | null {
  let authorityAt = -1;
  for (let i = from; i < to; i++) if (AUTHORITY.test(doc.folded[i]) && isUpperLine(doc.lines[i])) authorityAt = i;
  let title: string | null = null;
  let authority: string | null = null;
  let start = from;
  if (authorityAt >= 0) {
    authority = authorityCase(doc.lines[authorityAt], AUTHORITY.exec(doc.folded[authorityAt])!);
    start = authorityAt + 1;
  }
  let nameAt = -1;
  let name: string | null = null;
  for (let i = start; i < to; i++) {
    const line = doc.lines[i];
    const f = doc.folded[i];
    if (isRecipientLine(line) || isSignatureNoise(f) || /^noi nhan/.test(f)) continue;
    if (isWebNoise(f)) break;
    // The title nearest the name wins (a preamble "BỘ TRƯỞNG BỘ …" may come earlier).
    if (isUpperLine(line) && TITLE_WORDS.test(f)) {
      title = titleCase(line);
      continue;
    }
    if (isPersonName(line) && (title !== null || authority !== null) && !TITLE_WORDS.test(f)) {
      name = personNameCase(line);
      nameAt = i;
      break;
    }
  }
  if (authority === null && title === null) return null;
  return { signer: { name, title, authority }, index: nameAt >= 0 ? nameAt : start };
}

/**
 * Where to look: around "Nơi nhận" (the block sits beside it) or, without one, the last lines.
 * Titles without any authority line are searched for only there, never in the body.
 */
export function signerWindow(doc: Doc, recipientsAt: number | null, bodyStart: number): [number, number] {
  const n = doc.lines.length;
  if (recipientsAt !== null) return [Math.max(bodyStart, recipientsAt - 10), Math.min(n, recipientsAt + 30)];
  return [Math.max(bodyStart, n - 25), n];
}
