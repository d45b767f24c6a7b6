/**
 * What the SMTP edge tests share (docs/security-smtp.md): the unit and the sender, a message, the
 * rows a message left, the connections the edge counts, the spool's temp files, and a well-behaved
 * client. Client sockets bind to loopback addresses other than 127.0.0.1 (127.0.0.2, 127.0.0.3, …)
 * to stand for distinct client IPs; 127.0.0.1 is a relay (the default smtp.relays).
 */
import { readdirSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { inboundMessages } from '../../gateway/store/schema.ts';
import type { TestGateway } from './gateway.ts';
import { plainMail } from './mime.ts';

export const UNIT = 'vanthu@stc.lamdong.gov.vn';
export const FROM = 'vanthu@ubnd.bentre.gov.vn';
export const message = (id: string, body = 'Kính gửi: Sở Tài chính tỉnh Lâm Đồng\r\nSố: 123/UBND-VX\r\n') => plainMail(id, UNIT, [body]);

export const rowsWith = (gw: TestGateway, messageId: string) => gw.database.db.select().from(inboundMessages).where(eq(inboundMessages.messageId, messageId));
export const openFrom = (gw: TestGateway, ip?: string) => gw.smtp!.edge.openConnections(ip);
export const tmpFiles = (gw: TestGateway) => readdirSync(gw.blobs.tmpDir);

/** A well-behaved client: nodemailer, one message per connection, from `localAddress`. */
export function wellBehaved(gw: TestGateway, localAddress: string) {
  return nodemailer.createTransport({ host: '127.0.0.1', port: gw.smtpPort!, localAddress, secure: false, ignoreTLS: true } as never);
}
