/**
 * The import-direction check of docs/architecture.md, over the real import graph of gateway/
 * (read with the TypeScript compiler's own pre-processor, type-only imports included). No
 * exceptions are listed: a module that needs something from a higher layer gets it through an
 * interface its own layer owns (e.g. gateway/registry/ports.ts), wired in gateway/app.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', 'gateway');

/** Lowest first. A module may import its own layer and the ones below, never one above. */
const LAYERS: Array<{ layer: string; units: string[] }> = [
  {
    layer: 'leaf',
    units: [
      'clock.ts',
      'errors.ts',
      'heap-release.ts',
      'limits.ts',
      'log.ts',
      'memory-trim.ts',
      'memory-released.ts',
      'sanitize.ts',
      'shutdown.ts',
      'config',
      'documents',
      'trust',
      'store',
      'mail',
      'accept',
    ],
  },
  { layer: 'domain', units: ['registry', 'outgoing'] },
  { layer: 'pipeline', units: ['workers'] },
  { layer: 'adapter', units: ['smtp', 'imap', 'haraka', 'http', 'notify'] },
  { layer: 'root', units: ['app.ts'] },
  { layer: 'cli', units: ['cli'] },
];
const RANK = new Map(LAYERS.flatMap(({ units }, rank) => units.map((u) => [u, rank] as const)));

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (/\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The top-level unit of a file: its folder under gateway/, or the file itself at the top. */
const unitOf = (file: string) => path.relative(ROOT, file).split(path.sep)[0]!;
const layerOf = (file: string) => LAYERS[RANK.get(unitOf(file)) ?? -1]?.layer ?? null;

interface Edge {
  from: string;
  to: string;
}

function importGraph(): { files: string[]; edges: Edge[] } {
  const files = sources(ROOT);
  const edges: Edge[] = [];
  for (const from of files) {
    const info = ts.preProcessFile(readFileSync(from, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const to = path.resolve(path.dirname(from), fileName);
      if (to.startsWith(ROOT + path.sep)) edges.push({ from, to });
    }
  }
  return { files, edges };
}

const rel = (f: string) => path.relative(path.dirname(ROOT), f);
const { files, edges } = importGraph();

describe('layers look down only (docs/architecture.md)', () => {
  it('reads a real graph', () => {
    expect(files.length).toBeGreaterThan(150);
    expect(edges.length).toBeGreaterThan(500);
  });

  it('every module belongs to a layer', () => {
    expect(files.filter((f) => !RANK.has(unitOf(f))).map(rel)).toEqual([]);
  });

  it('no module imports a higher layer', () => {
    const up = edges.filter((e) => RANK.has(unitOf(e.to)) && RANK.get(unitOf(e.to))! > RANK.get(unitOf(e.from))!);
    expect(up.map((e) => `${rel(e.from)} (${layerOf(e.from)}) → ${rel(e.to)} (${layerOf(e.to)})`)).toEqual([]);
  });

  it('no cycle between top-level units', () => {
    const next = new Map<string, Set<string>>();
    for (const e of edges) {
      const a = unitOf(e.from);
      const b = unitOf(e.to);
      if (a !== b) next.set(a, (next.get(a) ?? new Set()).add(b));
    }
    const reaches = (from: string, target: string, seen = new Set<string>()): boolean => {
      for (const n of next.get(from) ?? []) {
        if (n === target) return true;
        if (!seen.has(n) && (seen.add(n), reaches(n, target, seen))) return true;
      }
      return false;
    };
    const cycles = [...next].flatMap(([a, bs]) => [...bs].filter((b) => reaches(b, a)).map((b) => `${a} ⇄ ${b}`));
    expect(cycles).toEqual([]);
  });

  it('adapters do not import each other: they meet only in the composition root', () => {
    const across = edges.filter((e) => layerOf(e.from) === 'adapter' && layerOf(e.to) === 'adapter' && unitOf(e.from) !== unitOf(e.to));
    expect(across.map((e) => `${rel(e.from)} → ${rel(e.to)}`)).toEqual([]);
  });

  it('app.ts is the only module that imports both the domain and an adapter (other than its own)', () => {
    const both = files.filter((f) => {
      const mine = edges.filter((e) => e.from === f);
      return mine.some((e) => layerOf(e.to) === 'domain') && mine.some((e) => layerOf(e.to) === 'adapter' && unitOf(e.to) !== unitOf(f));
    });
    expect(both.map(rel)).toEqual(['gateway/app.ts']);
  });

  it('HTTP routes live only under gateway/http/', () => {
    const routes = files.filter((f) => unitOf(f) !== 'http' && /from 'fastify'/.test(readFileSync(f, 'utf8')) && unitOf(f) !== 'app.ts');
    expect(routes.map(rel)).toEqual([]);
  });

  it('one SMTP sender: only gateway/notify/ makes a mail transport', () => {
    const senders = files.filter(
      (f) => /createTransport\(|from 'smtp-connection'|from 'nodemailer\/lib\/smtp/.test(readFileSync(f, 'utf8')) && unitOf(f) !== 'notify',
    );
    expect(senders.map(rel)).toEqual([]);
  });
});
