/**
 * The `registry` and `mail` sections of the configuration (validated by gateway/config/load.ts).
 * Everything has a default, so a config without these sections stays valid.
 */
import { z } from 'zod';
import { ACT_BY_MAIL_DEFAULTS, actByMailSchema } from './act-by-mail.ts';
import { reportsConfigSchema } from './reports.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'an ISO date YYYY-MM-DD');

export const ROLES = ['officer', 'clerk', 'leader', 'admin'] as const;
export type UserRole = (typeof ROLES)[number];

export const policySchema = z.strictObject({
  /** Register official documents without a clerk when every check passes. */
  autoRegister: z.boolean().default(true),
  /** Classification confidence (0..1) at or above which a document may be registered automatically. */
  confidenceThreshold: z.number().min(0).max(1).default(0.8),
});

export const deadlineSchema = z.strictObject({
  /** Working days allowed when neither the document nor a rule below says otherwise. */
  defaultDays: z.number().int().positive().default(10),
  byType: z.record(z.string(), z.number().int().positive()).default({}),
  /** Urgency caps the allowance: the smaller of type and urgency wins. */
  byUrgency: z.record(z.enum(['khan', 'thuong_khan', 'hoa_toc']), z.number().int().positive()).default({ khan: 3, thuong_khan: 2, hoa_toc: 1 }),
  /** Reminder this many working days before the deadline. */
  reminderDays: z.number().int().min(0).default(1),
});

export const routingRuleSchema = z.strictObject({
  unit: z.string(),
  recipient: z.string().optional(),
  issuer: z.string().optional(),
  typeCode: z.string().optional(),
  keywords: z.array(z.string()).optional(),
  department: z.string(),
  officer: z.string().optional(), // e-mail of the officer
});
export type RoutingRule = z.infer<typeof routingRuleSchema>;

const unitOverrides = z.strictObject({
  departments: z.array(z.strictObject({ id: z.string(), name: z.string() })).default([]),
  policy: policySchema.partial().default({}),
  deadlines: deadlineSchema.partial().default({}),
});

export const registryConfigSchema = z.strictObject({
  timezone: z.string().default('Asia/Ho_Chi_Minh'),
  sessionHours: z.number().positive().default(12),
  /** Login throttle (gateway/registry/users/login-throttle.ts): consecutive failures per account and per IP, then a block that doubles each time. */
  loginThrottle: z
    .strictObject({
      accountFailures: z.number().int().positive().default(5),
      ipFailures: z.number().int().positive().default(20),
      /** Failures count within this window; a good password clears the account's. */
      windowSeconds: z.number().int().positive().default(900),
      /** The first block; each further block within `historySeconds` doubles, up to maxBlockSeconds. */
      blockSeconds: z.number().int().positive().default(60),
      maxBlockSeconds: z.number().int().positive().default(3600),
      historySeconds: z.number().int().positive().default(86_400),
    })
    .default({ accountFailures: 5, ipFailures: 20, windowSeconds: 900, blockSeconds: 60, maxBlockSeconds: 3600, historySeconds: 86_400 }),
  policy: policySchema.default(policySchema.parse({})),
  deadlines: deadlineSchema.default(deadlineSchema.parse({})),
  /** Per unit id: departments and overrides of policy and deadlines. */
  units: z.record(z.string(), unitOverrides).default({}),
  routing: z.array(routingRuleSchema).default([]),
  /** Per year: public holidays (working days off, incl. substitute days) and weekend days worked instead. */
  holidays: z.record(z.string().regex(/^\d{4}$/), z.strictObject({ off: z.array(isoDate).default([]), workdays: z.array(isoDate).default([]) })).default({}),
  followup: z
    .strictObject({
      /** Cron of the daily digest (in `timezone`). */
      digestCron: z.string().default('0 7 * * 1-5'),
      /** How often the worker re-syncs follow-up jobs from the database (missed kicks, Redis outages). */
      sweepMs: z.number().int().positive().default(60_000),
      /** Local hour at which reminders and escalations fire. */
      hour: z.number().int().min(0).max(23).default(8),
    })
    .default({ digestCron: '0 7 * * 1-5', sweepMs: 60_000, hour: 8 }),
  /** Officers act on their items by replying to notices (gateway/config/act-by-mail.ts, docs/act-by-email.md). */
  actByMail: actByMailSchema.default(ACT_BY_MAIL_DEFAULTS),
  /** Targets of the province's report on electronic documents (gateway/config/reports.ts). */
  reports: reportsConfigSchema.default(reportsConfigSchema.parse({})),
  /** Optional LDAP login source: users are bound as `userDn` with {email} and {user} substituted. */
  ldap: z
    .strictObject({ url: z.string(), userDn: z.string(), timeoutMs: z.number().int().positive().default(5000) })
    .nullable()
    .default(null),
});
export type RegistryConfig = z.infer<typeof registryConfigSchema>;

const smarthost = z.strictObject({
  kind: z.literal('smarthost'),
  host: z.string(),
  port: z.number().int().min(1).max(65535).default(587),
  secure: z.boolean().default(false),
  requireTls: z.boolean().default(false),
  user: z.string().nullable().default(null),
  pass: z.string().nullable().default(null),
});
const direct = z.strictObject({ kind: z.literal('direct'), port: z.number().int().min(1).max(65535).default(25) });

export const mailConfigSchema = z.strictObject({
  from: z.string().default('vanthu@localhost'),
  transport: z.discriminatedUnion('kind', [smarthost, direct]).default({ kind: 'direct', port: 25 }),
  /** Who receives quarantine alerts besides the unit's clerks and the admins. */
  alertTo: z.array(z.string()).default([]),
  /**
   * Mail for a unit of this gateway (documents, receipts, notices to a unit address) goes straight
   * into its incoming pipeline (gateway/notify/local.ts). Unset: on with `direct` transport (the
   * gateway is its units' MX), off with a smarthost (the relay decides, e.g. a mailbox polled over IMAP).
   */
  localDelivery: z.boolean().optional(),
});
export type MailConfig = z.infer<typeof mailConfigSchema>;
