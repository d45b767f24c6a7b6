/**
 * Configuration: config/default.yaml, deep-merged with the file named by VANTHU_CONFIG, then
 * environment overrides. Validated with zod; a bad config throws ConfigError naming the file,
 * the key path and what was expected, so start-up stops with something a person can fix.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { imapProblem, imapSectionSchema } from './imap.ts';
import { mailConfigSchema, registryConfigSchema } from './registry.ts';
import { directoryEntrySchema, outgoingConfigSchema } from './outgoing.ts';
import { ocrConfigSchema } from './ocr.ts';
import { checkSmtpEdge, smtpEdgeShape } from './smtp.ts';
import { DEFAULT_LIMITS_CONFIG, limitsSchema } from '../limits.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_CONFIG_FILE = path.join(PROJECT_ROOT, 'config', 'default.yaml');

const port = z.number().int().min(0).max(65535);
const email = z.string().trim().toLowerCase().pipe(z.email());

const unitSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, "-" or "_"'),
  name: z.string().min(1),
  organId: z.string().nullable().default(null),
  addresses: z.array(email).min(1),
});

export const configSchema = z.strictObject({
  instance: z.strictObject({
    name: z.string().default('vanthu'),
    dataDir: z.string().default('var'),
  }),
  smtp: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: port.default(2525),
      /** Said in the greeting and EHLO reply: ASCII (an internationalised name in its xn-- form). */
      hostname: z
        .string()
        .regex(/^[\x21-\x7e]+$/, 'ASCII only (write an internationalised name as xn--...)')
        .default('localhost'),
      maxMessageBytes: z
        .number()
        .int()
        .positive()
        .default(25 * 1024 * 1024),
      maxRecipients: z.number().int().positive().default(50),
      maxClients: z.number().int().positive().default(200),
      /** Timeouts, per-address connection and message limits, relays (gateway/config/smtp.ts). */
      ...smtpEdgeShape,
      tls: z.strictObject({ key: z.string(), cert: z.string() }).nullable().default(null),
    })
    .superRefine(checkSmtpEdge),
  http: z.strictObject({
    host: z.string().default('127.0.0.1'),
    port: port.default(8080),
    /**
     * Service tokens: role admin (scripts, the CLI), relay (the Haraka plugin: unit directory and
     * uploads with an SMTP envelope only) or metrics (a Prometheus scraper: GET /metrics only).
     */
    tokens: z
      .array(
        z.strictObject({ name: z.string(), token: z.string().min(12, 'at least 12 characters'), role: z.enum(['admin', 'relay', 'metrics']).default('admin') }),
      )
      .default([]),
    /** Serve HTTPS (Office add-ins require it): PEM file paths, relative to the project root or absolute. */
    tls: z.strictObject({ key: z.string(), cert: z.string() }).nullable().default(null),
    /** The URL people reach this gateway at (used in the add-in manifest served at /addin/manifest.xml). */
    publicUrl: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .default(null),
    /** Origins besides Outlook on the web that may frame the add-in's pages (CSP frame-ancestors), e.g. an on-premises OWA: https://mail.stc.lamdong.gov.vn */
    addinFrameAncestors: z.array(z.url({ protocol: /^https$/ }).transform((u) => new URL(u).origin)).default([]),
  }),
  database: z.strictObject({
    url: z.string().nullable().default(null),
    /**
     * The embedded database's shared_buffers in MiB (its page cache inside the WebAssembly heap; PGlite's own default is 160).
     * 16: on a 40,000-document database it read more pages from the OS cache for console lists, at no CPU or latency
     * that could be told apart from 32, and kept 16 MB less (docs/operations.md, "Memory").
     */
    embeddedSharedBuffersMb: z.number().int().min(8).max(4096).default(16),
  }),
  redis: z.strictObject({
    url: z.string().nullable().default(null),
    /** Key prefix of the BullMQ queues: gateways sharing one Redis need different prefixes. */
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/)
      .default('vanthu'),
  }),
  ingest: z.strictObject({
    outboxSweepMs: z.number().int().positive().default(5000),
    concurrency: z.number().int().positive().default(4),
    /**
     * Threads of the CPU pool the parse, classify and verify stages run their work on (docs/architecture.md,
     * "The CPU pool"): null = the cores but one, at least 1; 0 (the default for now: the memory it
     * keeps, bench/e2e/FINDINGS.md "Sixth round") = on the main thread, no pool.
     */
    cpuThreads: z.number().int().min(0).max(64).nullable().default(0),
    /** A CPU pool task running longer than this stops its thread; the message gets the outcome `worker-timeout`. */
    cpuTaskMs: z.number().int().positive().default(120_000),
    /** BullMQ job lock; a job whose worker died is retried after about this long. */
    lockMs: z.number().int().min(1000).default(30_000),
    /** A worker holds a message's lease this long, renewing it every third; the sweep re-queues a pending message nobody holds that was queued longer ago than this (gateway/workers/lease.ts, gateway/workers/outbox.ts). */
    leaseMs: z.number().int().min(200).default(60_000),
    /** Small messages stay in the accept journal's packs until the gateway is idle this long... */
    unpackIdleMs: z.number().int().positive().default(2000),
    /** ...or a pack is this old, busy or not; then they become loose blob files. */
    unpackMaxAgeMs: z.number().int().positive().default(600_000),
    /** Past this many bytes of packs new messages wait for the unpacker: mail that never pauses cannot grow them without bound. */
    maxPackedBytes: z
      .number()
      .int()
      .positive()
      .default(2 * 1024 ** 3),
  }),
  /** Bounds on hostile input; going over one sends the message to review with outcome limit:<name> (gateway/limits.ts, docs/security-limits.md). */
  limits: limitsSchema.default(DEFAULT_LIMITS_CONFIG),
  trust: z
    .strictObject({
      anchors: z.array(z.string()).default([]),
      crls: z.array(z.string()).default([]),
      /** DNS for DKIM/SPF/DMARC/ARC in the pipeline: "system", "off", or a zone file path. */
      dns: z.string().default('system'),
    })
    .default({ anchors: [], crls: [], dns: 'system' }),
  units: z.array(unitSchema).min(1),
  /** Existing mailboxes polled over IMAP (gateway/config/imap.ts). */
  imap: imapSectionSchema,
  /** Books, users, policy, routing, deadlines and follow-up (gateway/config/registry.ts). */
  registry: registryConfigSchema.default(registryConfigSchema.parse({})),
  /** Outgoing mail of the registry (receipts, reminders, digests, alerts). */
  mail: mailConfigSchema.default(mailConfigSchema.parse({})),
  /** Agencies this gateway sends documents to (gateway/config/outgoing.ts); the configured units are added. */
  directory: z.array(directoryEntrySchema).default([]),
  /** Signing keys and delivery retries of outgoing documents (gateway/config/outgoing.ts). */
  outgoing: outgoingConfigSchema.default(outgoingConfigSchema.parse({})),
  /** Reading scans and photos of paper (gateway/config/ocr.ts, docs/ocr.md). */
  ocr: ocrConfigSchema.default(ocrConfigSchema.parse({})),
});

export type Config = z.infer<typeof configSchema> & { sources: string[] };
export type UnitConfig = z.infer<typeof unitSchema>;

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    readonly expected: string,
  ) {
    super(`${file}: ${key || '(root)'}: ${expected}`);
    this.name = 'ConfigError';
  }
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlain(v) && isPlain(out[k]) ? deepMerge(out[k] as Plain, v) : v;
  return out;
}

function readYaml(file: string): Plain {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, '', `cannot read file (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(file, '', `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc == null) return {};
  if (!isPlain(doc)) throw new ConfigError(file, '', 'expected a mapping at the top level');
  return doc;
}

function envOverrides(env: NodeJS.ProcessEnv): Plain {
  const o: Plain = {};
  const set = (keys: string[], value: unknown) => {
    let cur = o;
    for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Plain;
    cur[keys[keys.length - 1]] = value;
  };
  const num = (name: string, keys: string[]) => {
    const v = env[name];
    if (v === undefined || v === '') return;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new ConfigError(`environment ${name}`, keys.join('.'), `expected an integer, got "${v}"`);
    set(keys, n);
  };
  if (env.DATABASE_URL) set(['database', 'url'], env.DATABASE_URL);
  if (env.REDIS_URL) set(['redis', 'url'], env.REDIS_URL);
  if (env.VANTHU_REDIS_PREFIX) set(['redis', 'prefix'], env.VANTHU_REDIS_PREFIX);
  if (env.VANTHU_DNS) set(['trust', 'dns'], env.VANTHU_DNS);
  if (env.VANTHU_DATA_DIR) set(['instance', 'dataDir'], env.VANTHU_DATA_DIR);
  if (env.VANTHU_SMTP_HOST) set(['smtp', 'host'], env.VANTHU_SMTP_HOST);
  if (env.VANTHU_HTTP_HOST) set(['http', 'host'], env.VANTHU_HTTP_HOST);
  num('VANTHU_SMTP_PORT', ['smtp', 'port']);
  num('VANTHU_HTTP_PORT', ['http', 'port']);
  num('VANTHU_MAX_MESSAGE_BYTES', ['smtp', 'maxMessageBytes']);
  return o;
}

function hasPath(doc: Plain, keys: PropertyKey[]): boolean {
  let cur: unknown = doc;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object' || !(String(k) in (cur as object))) return false;
    cur = (cur as Plain)[String(k)];
  }
  return true;
}

/** Loads, merges and validates the configuration. Relative paths resolve against the project root. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const sources = [DEFAULT_CONFIG_FILE];
  let doc = readYaml(DEFAULT_CONFIG_FILE);
  let override: Plain = {};
  if (env.VANTHU_CONFIG) {
    const file = path.resolve(env.VANTHU_CONFIG);
    override = readYaml(file);
    sources.push(file);
    doc = deepMerge(doc, override);
  }
  doc = deepMerge(doc, envOverrides(env));
  const result = configSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0];
    const file = sources.length > 1 && hasPath(override, issue.path) ? sources[1] : sources[0];
    const keys = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    const key = keys
      .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
      .join('.')
      .replace(/\.\[/g, '[');
    throw new ConfigError(file, key, issue.message);
  }
  const cfg = result.data;
  cfg.instance.dataDir = path.resolve(PROJECT_ROOT, cfg.instance.dataDir);
  checkUnits(cfg.units, sources[sources.length - 1]);
  const imapIssue = imapProblem(cfg.imap, cfg.units);
  if (imapIssue) throw new ConfigError(sources[sources.length - 1], ...imapIssue);
  return { ...cfg, sources };
}

function checkUnits(units: UnitConfig[], file: string): void {
  const seen = new Map<string, string>();
  units.forEach((u, i) => {
    for (const a of u.addresses) {
      const other = seen.get(a);
      if (other) throw new ConfigError(file, `units[${i}].addresses`, `address ${a} is already used by unit "${other}"`);
      seen.set(a, u.id);
    }
  });
}

/** Maps each published address (lower-case) to its unit. */
export function addressBook(cfg: Config): Map<string, UnitConfig> {
  const map = new Map<string, UnitConfig>();
  for (const u of cfg.units) for (const a of u.addresses) map.set(a.toLowerCase(), u);
  return map;
}
