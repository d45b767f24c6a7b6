/**
 * Regression fixtures of the fuzz harness (docs/fuzzing.md "Regressions"): one input file and a
 * metadata .json beside it per distinct failure, under fuzz/regressions/<target>/.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { FailureKind } from './failure.ts';
import { ROOT } from './seeds.ts';
import type { FuzzInput } from './targets/index.ts';

export const REGRESSIONS_DIR = join(ROOT, 'fuzz', 'regressions');

export interface Fixture {
  target: string;
  mode: string;
  name?: string | null;
  splits?: number[] | null;
  close?: FuzzInput['close'] | null;
  file: string;
  kind: FailureKind;
  signature: string;
  error: string;
  function: string | null;
  stack: string;
  found: { seed: number | null; index: number; reproduce: string };
  bytes: number;
  originalBytes: number;
  minimized: boolean;
}

const FIXTURE_EXT: Record<string, string> = {
  'mime:buffer': '.eml',
  'mime:stream': '.eml',
  'classify:message': '.eml',
  'verify:message': '.eml',
  'verify:smime': '.eml',
  'verify:pdf': '.pdf',
  'verify:xml': '.xml',
  'pdf:text': '.pdf',
  'pdf:fast': '.pdf',
  'docx:docx': '.docx',
  'docx:zip': '.zip',
  'edxml:parse': '.xml',
  'smtp:session': '.smtp',
};

function fixtureExt(target: string, input: FuzzInput): string {
  if (target === 'classify' && input.mode === 'file') return /\.(pdf|docx|txt|xml)$/i.exec(input.name ?? '')?.[0].toLowerCase() ?? '.bin';
  if (target === 'cms') return '.der';
  return FIXTURE_EXT[`${target}:${input.mode}`] ?? '.bin';
}

/** Every fixture (.json) under the given files/folders. */
export function listFixtures(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n));
    else if (p.endsWith('.json')) out.push(p);
  };
  for (const p of paths) walk(p);
  return out;
}

export function readFixture(path: string): { meta: Fixture; input: FuzzInput } {
  const meta = JSON.parse(readFileSync(path, 'utf8')) as Fixture;
  const bytes = readFileSync(join(dirname(path), meta.file));
  const input: FuzzInput = { mode: meta.mode, bytes };
  if (meta.name != null) input.name = meta.name;
  if (meta.splits?.length) input.splits = meta.splits;
  if (meta.close) input.close = meta.close;
  return { meta, input };
}

/** What a new failure is saved with (the fields of its FailureRecord that go into the metadata). */
export interface NewFixture {
  target: string;
  kind: FailureKind;
  signature: string;
  error: string;
  function: string | null;
  stack: string;
  index: number;
  reproduce: string;
}

/** Writes the input and its metadata under `dir/<target>/`; returns the metadata's path relative to the project root. */
export function writeFixture(dir: string, f: NewFixture, input: FuzzInput, seed: number | null, slug: string): string {
  const folder = join(dir, f.target);
  mkdirSync(folder, { recursive: true });
  const file = `${slug}${fixtureExt(f.target, input)}`;
  writeFileSync(join(folder, file), input.bytes);
  const meta: Fixture = {
    target: f.target,
    mode: input.mode,
    name: input.name ?? null,
    splits: input.splits ?? null,
    close: input.close ?? null,
    file,
    kind: f.kind,
    signature: f.signature,
    error: f.error,
    function: f.function,
    stack: f.stack,
    found: { seed, index: f.index, reproduce: f.reproduce },
    bytes: input.bytes.length,
    originalBytes: input.bytes.length,
    minimized: false,
  };
  const path = join(folder, `${slug}.json`);
  writeFileSync(path, JSON.stringify(meta, null, 2) + '\n');
  return relative(ROOT, path);
}

/** Replaces a saved fixture's input by a smaller one that fails the same way. */
export function rewriteFixtureInput(fixture: string, input: FuzzInput, final: boolean): void {
  const path = join(ROOT, fixture);
  const meta = JSON.parse(readFileSync(path, 'utf8')) as Fixture;
  writeFileSync(join(dirname(path), meta.file), input.bytes);
  meta.bytes = input.bytes.length;
  meta.minimized = final || meta.minimized;
  meta.splits = input.splits ?? null;
  meta.mode = input.mode;
  writeFileSync(path, JSON.stringify(meta, null, 2) + '\n');
}
