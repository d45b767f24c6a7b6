/**
 * The edXML status notice (QCVN 102:2016) that answers a document which came as an edXML package:
 * built from the sender's envelope (its organ and the document's code) with the shared producer
 * in gateway/documents/edxml, attached to the receipt mail.
 */
import { eq } from 'drizzle-orm';
import { buildStatus } from '../../documents/edxml/build.ts';
import type { StatusName } from '../../documents/edxml/names.ts';
import { parseEdXml } from '../../documents/edxml/parse.ts';
import type { BlobStore } from '../../store/blobs.ts';
import { messageAttachments } from '../../store/schema.ts';
import type { DocumentRow } from '../books/register.ts';
import type { RegistryRuntime } from '../runtime.ts';

export async function edxmlStatusFor(
  rt: RegistryRuntime,
  blobs: BlobStore,
  doc: DocumentRow,
  status: StatusName,
): Promise<{ filename: string; content: string; contentType: string } | null> {
  if (!doc.inboundId) return null;
  const parts = await rt.db.select().from(messageAttachments).where(eq(messageAttachments.messageId, doc.inboundId));
  for (const part of parts.filter((p) => /xml/i.test(p.contentType) || /\.xml$/i.test(p.filename ?? ''))) {
    const parsed = parseEdXml((await blobs.read(part.sha256)).toString('utf8'));
    if (parsed?.kind !== 'envelope') continue;
    const env = parsed.envelope;
    const unit = rt.config.units.find((u) => u.id === doc.unitId);
    const xml = buildStatus({
      from: { id: unit?.organId ?? unit?.id ?? doc.unitId, name: unit?.name ?? doc.unitId, email: unit?.addresses[0] },
      to: { id: env.from.id ?? '', name: env.from.name ?? doc.issuer ?? '', email: env.from.email ?? undefined },
      responseFor: {
        organId: env.from.id ?? '',
        code: [env.codeNumber, env.codeNotation].filter(Boolean).join('/') || (doc.notation ?? ''),
        documentId: env.documentId ?? '',
        promulgationDate: env.promulgationDate ?? doc.issuedDate ?? '',
      },
      status,
      description: `Đã vào sổ văn bản đến số ${doc.bookNumber}/${doc.bookYear}`,
      timestamp: rt.clock.now().toISOString(),
      staff: { department: 'Văn thư', name: 'vanthu' },
    });
    return { filename: 'status.edxml', content: xml, contentType: 'application/xml' };
  }
  return null;
}
