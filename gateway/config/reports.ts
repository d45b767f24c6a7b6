/**
 * `registry.reports`: the targets the province's report on the use of electronic documents
 * ("báo cáo tình hình sử dụng văn bản điện tử") is measured against (gateway/registry/reports/,
 * GET /api/reports/usage, docs/console.md). Percentages are of the month's documents; times are
 * the 90th percentile over the month. Set them to what the province's plan asks.
 */
import { z } from 'zod';

export const REPORT_TARGET_DEFAULTS = {
  /** Share of received documents that arrived electronically (mail, edXML), not entered from paper. */
  receivedElectronicPct: 90,
  /** Share of numbered outgoing documents sent electronically through vanthu. */
  sentElectronicPct: 90,
  /** Share of received documents whose digital signature verified valid. */
  signedPct: 80,
  /** Share of officers with items who acted on them electronically (add-in, console or a reply by mail). */
  officersElectronicPct: 90,
  /** Hours from arrival to registration in the book, 90th percentile (Decree 30: the same or the next working day). */
  registerHoursP90: 24,
  /** Days from arrival to done, 90th percentile (the default deadline is 10 working days). */
  doneDaysP90: 14,
} as const;

export const reportTargetsSchema = z.strictObject({
  receivedElectronicPct: z.number().min(0).max(100).default(REPORT_TARGET_DEFAULTS.receivedElectronicPct),
  sentElectronicPct: z.number().min(0).max(100).default(REPORT_TARGET_DEFAULTS.sentElectronicPct),
  signedPct: z.number().min(0).max(100).default(REPORT_TARGET_DEFAULTS.signedPct),
  officersElectronicPct: z.number().min(0).max(100).default(REPORT_TARGET_DEFAULTS.officersElectronicPct),
  registerHoursP90: z.number().positive().default(REPORT_TARGET_DEFAULTS.registerHoursP90),
  doneDaysP90: z.number().positive().default(REPORT_TARGET_DEFAULTS.doneDaysP90),
});
export type ReportTargets = z.infer<typeof reportTargetsSchema>;

export const reportsConfigSchema = z.strictObject({
  targets: reportTargetsSchema.default({ ...REPORT_TARGET_DEFAULTS }),
});
export type ReportsConfig = z.infer<typeof reportsConfigSchema>;
