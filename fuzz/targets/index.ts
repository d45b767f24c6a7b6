/** Every fuzz target, in the order a run visits them (the slow ones first, to balance the jobs). */
import { classify } from './classify.ts';
import { cms } from './cms.ts';
import { docx } from './docx.ts';
import { edxml } from './edxml.ts';
import { mime } from './mime.ts';
import { pdf } from './pdf.ts';
import { smtp } from './smtp.ts';
import { verify } from './verify.ts';
import type { Target } from './types.ts';

export const TARGETS: readonly Target[] = [classify, pdf, verify, smtp, mime, docx, cms, edxml];

export function target(name: string): Target {
  const t = TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`unknown fuzz target "${name}" (targets: ${TARGETS.map((x) => x.name).join(', ')})`);
  return t;
}

export type { FuzzInput, Runner, Target } from './types.ts';
