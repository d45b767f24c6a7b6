/** The shape every fuzz target has: how to make input N, and how to run one input in the child. */
import type { Corpus } from '../seeds.ts';

export interface FuzzInput {
  /** Which entry point of the target the bytes go to (e.g. classify: "message" or "file"). */
  mode: string;
  bytes: Buffer;
  /** File name for entry points that look at it (classify a file). */
  name?: string;
  /** Where the input is cut into chunks (SMTP writes, MIME stream chunks). */
  splits?: number[];
  /** SMTP: how the client leaves the session. */
  close?: 'quit' | 'end' | 'reset';
}

export interface Runner {
  /**
   * Runs one input. Resolves when the target behaved; throws (the target's own error, or an
   * InvariantViolation) when it did not. Documented typed errors are swallowed here.
   */
  run(input: FuzzInput): Promise<void>;
  close(): Promise<void>;
}

export interface Target {
  name: string;
  /** What is driven and what counts as a failure (printed by --list and in docs/fuzzing.md). */
  summary: string;
  /** Input `index` of a run: a pure function of the corpus and the seed derived from (run seed, target, index). */
  generate(corpus: Corpus, seed: number, index: number): FuzzInput;
  start(corpus: Corpus): Promise<Runner>;
}
