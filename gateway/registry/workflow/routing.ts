/**
 * Routing: which department (and officer) a registered document goes to. Configured rules win;
 * otherwise a naive-Bayes suggestion learned from the unit's past assignments, with its confidence.
 * A leader confirms or changes it (assign).
 */
import { and, desc, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../../store/db.ts';
import { foldDiacritics } from '../../documents/text.ts';
import { NaiveBayes } from '../intake/suggestions.ts';
import type { RoutingRule } from '../../config/registry.ts';
import { documents, users } from '../schema.ts';

export interface RoutingInput {
  unitId: string;
  recipients: string[];
  issuer: string | null;
  typeCode: string | null;
  subject: string | null;
  text: string | null;
}

export interface RoutingSuggestion {
  department: string | null;
  officer: string | null; // e-mail
  source: 'rule' | 'learned' | 'none';
  confidence: number;
  rule: number | null;
  alternatives: Array<{ department: string; probability: number }>;
}

const fold = (s: string | null | undefined) => foldDiacritics(s ?? '');

/**
 * The first rule the document meets, or -1. The message's text is folded only when a rule of the
 * unit that the other conditions let through has keywords (once, then kept): it is the whole
 * extracted text, and most units route with no keyword rule (bench/e2e/FINDINGS.md, "Thirteenth
 * round: the main thread").
 */
export function matchRule(rules: RoutingRule[], input: RoutingInput): number {
  let text: string | undefined;
  let issuer: string | undefined;
  let recipients: string[] | undefined;
  return rules.findIndex(
    (r) =>
      r.unit === input.unitId &&
      (!r.recipient || (recipients ??= input.recipients.map((x) => x.toLowerCase())).includes(r.recipient.toLowerCase())) &&
      (!r.issuer || (issuer ??= fold(input.issuer)).includes(fold(r.issuer))) &&
      (!r.typeCode || r.typeCode === input.typeCode) &&
      (!r.keywords?.length || r.keywords.some((k) => (text ??= fold(`${input.subject ?? ''} ${input.text ?? ''}`)).includes(fold(k)))),
  );
}

export const learnText = (d: { subject: string | null; issuer: string | null; typeCode: string | null }) =>
  `${d.subject ?? ''} ${d.issuer ?? ''} ${d.typeCode ?? ''}`;

/** Trains on the unit's latest assignments (a few thousand rows: milliseconds). */
export async function trainUnit(db: Db, unitId: string, limit = 2000): Promise<{ departments: NaiveBayes; officers: Map<string, NaiveBayes> }> {
  const past = await db
    .select({ subject: documents.subject, issuer: documents.issuer, typeCode: documents.typeCode, department: documents.department, officer: users.email })
    .from(documents)
    .leftJoin(users, eq(users.id, documents.assigneeId))
    .where(and(eq(documents.unitId, unitId), isNotNull(documents.department)))
    .orderBy(desc(documents.updatedAt))
    .limit(limit);
  const departments = new NaiveBayes();
  const officers = new Map<string, NaiveBayes>();
  for (const p of past) {
    const text = learnText(p);
    departments.train(p.department!, text);
    if (p.officer) {
      let nb = officers.get(p.department!);
      if (!nb) officers.set(p.department!, (nb = new NaiveBayes()));
      nb.train(p.officer, text);
    }
  }
  return { departments, officers };
}

type Trained = Awaited<ReturnType<typeof trainUnit>>;
const TRAINED_TTL_MS = 60_000;
// Per database and unit: retraining on every message would read the unit's history each time.
const trainedCache = new WeakMap<Db, Map<string, { at: number; model: Promise<Trained> }>>();

function trained(db: Db, unitId: string): Promise<Trained> {
  let byUnit = trainedCache.get(db);
  if (!byUnit) trainedCache.set(db, (byUnit = new Map()));
  const hit = byUnit.get(unitId);
  if (hit && Date.now() - hit.at < TRAINED_TTL_MS) return hit.model;
  const model = trainUnit(db, unitId);
  byUnit.set(unitId, { at: Date.now(), model });
  model.catch(() => byUnit!.delete(unitId));
  return model;
}

/** Forgets the learned model of a unit (after an assignment, so the next suggestion learns from it). */
export function forgetTraining(db: Db, unitId: string): void {
  trainedCache.get(db)?.delete(unitId);
}

export async function suggestRoute(db: Db, rules: RoutingRule[], input: RoutingInput): Promise<RoutingSuggestion> {
  const i = matchRule(rules, input);
  if (i >= 0) return { department: rules[i].department, officer: rules[i].officer ?? null, source: 'rule', confidence: 1, rule: i, alternatives: [] };
  const { departments, officers } = await trained(db, input.unitId);
  const text = learnText(input);
  const ranked = departments.predict(text);
  if (!ranked.length) return { department: null, officer: null, source: 'none', confidence: 0, rule: null, alternatives: [] };
  const best = ranked[0];
  const officer = officers.get(best.label)?.predict(text)[0]?.label ?? null;
  return {
    department: best.label,
    officer,
    source: 'learned',
    confidence: Math.round(best.probability * 1000) / 1000,
    rule: null,
    alternatives: ranked.slice(1, 4).map((r) => ({ department: r.label, probability: Math.round(r.probability * 1000) / 1000 })),
  };
}
