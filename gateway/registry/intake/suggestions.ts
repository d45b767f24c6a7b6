/**
 * A small multinomial naive-Bayes text classifier over Vietnamese syllables (diacritics folded,
 * so "Tài chính" and "tai chinh" are the same evidence), with syllable bigrams because most
 * Vietnamese words are two syllables. Used to suggest a department from past assignments.
 */
import { foldDiacritics } from '../../documents/text.ts';

export function syllables(text: string): string[] {
  return foldDiacritics(text.normalize('NFC'))
    .split(/[^a-z0-9]+/)
    .filter((s) => s.length >= 2);
}

export function features(text: string): string[] {
  const s = syllables(text);
  const out = [...s];
  for (let i = 0; i + 1 < s.length; i++) out.push(`${s[i]}_${s[i + 1]}`);
  return out;
}

export interface Prediction {
  label: string;
  probability: number;
}

export class NaiveBayes {
  private readonly docs = new Map<string, number>();
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly totals = new Map<string, number>();
  private readonly vocabulary = new Set<string>();
  private n = 0;

  train(label: string, text: string): void {
    this.n++;
    this.docs.set(label, (this.docs.get(label) ?? 0) + 1);
    let c = this.counts.get(label);
    if (!c) this.counts.set(label, (c = new Map()));
    for (const f of features(text)) {
      c.set(f, (c.get(f) ?? 0) + 1);
      this.totals.set(label, (this.totals.get(label) ?? 0) + 1);
      this.vocabulary.add(f);
    }
  }

  get size(): number {
    return this.n;
  }

  /** Labels by posterior probability, best first; empty before any training. */
  predict(text: string): Prediction[] {
    if (!this.n) return [];
    const fs = features(text).filter((f) => this.vocabulary.has(f));
    const v = this.vocabulary.size;
    const scores = [...this.docs.entries()].map(([label, d]) => {
      const c = this.counts.get(label)!;
      const total = this.totals.get(label) ?? 0;
      let score = Math.log(d / this.n);
      for (const f of fs) score += Math.log(((c.get(f) ?? 0) + 1) / (total + v));
      return { label, score };
    });
    const max = Math.max(...scores.map((s) => s.score));
    const sum = scores.reduce((a, s) => a + Math.exp(s.score - max), 0);
    return scores.map((s) => ({ label: s.label, probability: Math.exp(s.score - max) / sum })).sort((a, b) => b.probability - a.probability);
  }
}
