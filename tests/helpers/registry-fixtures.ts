/** Fixtures for the registry suites: inbound rows, stage results, principals, a config with departments. */
import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../../gateway/config/load.ts';
import type { Principal } from '../../gateway/registry/access/policy.ts';
import type { BlobStore } from '../../gateway/store/blobs.ts';
import type { Db } from '../../gateway/store/db.ts';
import { newId } from '../../gateway/store/ids.ts';
import { inboundMessages, messageStages } from '../../gateway/store/schema.ts';
import type { Classification } from '../../gateway/documents/types.ts';

export const ADMIN: Principal = { kind: 'service', id: null, name: 'test', email: null, role: 'admin', unitId: null, department: null };

export function classification(over: Partial<NonNullable<Classification['document']>> = {}, confidence = 0.95): Classification {
  return {
    kind: 'document',
    document: {
      typeCode: 'CV',
      typeName: 'Công văn',
      number: '123',
      notation: '123/UBND-VX',
      issuer: 'Ủy ban nhân dân tỉnh Bến Tre',
      place: 'Bến Tre',
      issuedDate: '2026-11-20',
      subject: 'Triển khai ứng dụng chữ ký số trong gửi nhận văn bản điện tử',
      signer: { name: 'Nguyễn Văn A', title: 'Phó Chủ tịch', authority: 'KT. Chủ tịch' },
      recipients: ['Sở Tài chính'],
      urgency: 'normal',
      secrecy: 'normal',
      dueDate: null,
      source: 'body',
      ...over,
    },
    confidence,
    reasons: [],
  };
}

export const VALID = { verdict: 'valid', signatures: [{ layer: 'pdf', verdict: 'valid', reasons: [] }] };

export interface InboundFixture {
  unitIds?: string[];
  rcptTo?: string[];
  from?: string;
  subject?: string;
  /** The arrival time: the test's clock, never the wall clock (the book prints it as "Ngày đến"). */
  receivedAt: Date;
  /**
   * The row's state (default `parsed`). Written with the row: a running gateway's outbox sweep queues
   * every pending row it sees, so a row inserted pending and moved to another state after may be
   * queued in between.
   */
  state?: string;
}

/** An inbound row as the accept path would have written it (content is not needed by the registry). */
export async function insertInbound(db: Db, f: InboundFixture): Promise<string> {
  const id = newId();
  const hash = createHash('sha256').update(randomBytes(16)).digest('hex');
  await db.insert(inboundMessages).values({
    id,
    source: 'api',
    messageId: `<${id}@test.example>`,
    contentHash: hash,
    blobSha256: hash,
    size: 100,
    mailFrom: f.from ?? 'vanthu@ubnd.bentre.gov.vn',
    fromAddr: f.from ?? 'vanthu@ubnd.bentre.gov.vn',
    rcptTo: f.rcptTo ?? ['vanthu@stc.lamdong.gov.vn'],
    unitIds: f.unitIds ?? ['stc'],
    subject: f.subject ?? 'Công văn 123/UBND-VX',
    receivedAt: f.receivedAt,
    state: f.state ?? 'parsed',
  });
  return id;
}

/** A raw message stored as the accept path stores it (its blob and an `accepted` row, by SMTP): its id. */
export async function insertArrival(
  db: Db,
  blobs: BlobStore,
  raw: Buffer,
  f: { id?: string; receivedAt: Date; mailFrom: string; rcptTo: string[]; unitIds: string[] },
): Promise<string> {
  const id = f.id ?? newId();
  const { sha256, size } = await blobs.put(raw);
  await db.insert(inboundMessages).values({
    id,
    receivedAt: f.receivedAt,
    source: 'smtp',
    messageId: `<${id}@${f.mailFrom.split('@')[1]}>`,
    contentHash: createHash('sha256').update(raw).digest('hex'),
    blobSha256: sha256,
    size,
    mailFrom: f.mailFrom,
    rcptTo: f.rcptTo,
    unitIds: f.unitIds,
  });
  return id;
}

export async function insertStage(db: Db, messageId: string, stage: string, result: unknown): Promise<void> {
  await db
    .insert(messageStages)
    .values({ messageId, stage, status: 'done', result })
    .onConflictDoUpdate({ target: [messageStages.messageId, messageStages.stage], set: { result } });
}

/** Departments, routing and a fixed holiday calendar for the demo unit "stc". */
export function configureRegistry(cfg: Config): void {
  cfg.registry.units.stc = {
    departments: [
      { id: 'ns', name: 'Phòng Ngân sách' },
      { id: 'vp', name: 'Văn phòng Sở' },
      { id: 'tin', name: 'Phòng Tin học' },
    ],
    policy: {},
    deadlines: {},
  };
  cfg.registry.routing = [{ unit: 'stc', keywords: ['ngân sách'], department: 'ns', officer: 'officer@stc.lamdong.gov.vn' }];
}
