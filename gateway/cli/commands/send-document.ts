/**
 * `vanthu send-document`: numbers a document in the unit's outgoing book, signs it and queues one
 * delivery per recipient — through the running gateway's POST /api/outgoing, or, when no gateway
 * answers, by opening storage directly (the delivery worker's sweep sends what is queued).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type Config } from '../../config/load.ts';
import { parseSecrecy, parseUrgency } from '../../outgoing/marks.ts';
import type { SendResult } from '../../outgoing/send.ts';
import type { RegistryError } from '../../registry/errors.ts';
import { callRegistry, CliFailure, runCli } from '../registry-client.ts';
import type { Command } from '../main.ts';
import { parse, UsageError } from '../args.ts';
import { namesFrom, printAction } from '../output.ts';

const USAGE = [
  'vanthu send-document <file.pdf> --to <unit|address|agency name>... --subject TEXT',
  '         [--type KH] [--type-name NAME] [--signer NAME] [--body TEXT] [--edxml] [--smime] [--unit ID]',
  '         [--urgency khan|thuong_khan|hoa_toc]   (độ khẩn: "khẩn", "thượng khẩn", "hỏa tốc" too)',
  '         [--confirm-unsigned]   (send a PDF without a valid signature anyway; audited)   [--json]',
].join('\n');

const CONTENT_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.doc': 'application/msword',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.odt': 'application/vnd.oasis.opendocument.text',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.zip': 'application/zip',
};

/** Queues the deliveries straight on Redis; false when it does not answer in time (the sweep queues them later). */
async function enqueueDirect(config: Config, ids: string[]): Promise<boolean> {
  const [{ DeliveryQueue }, { producerConnection }, { redisOptionsFromUrl }] = await Promise.all([
    import('../../workers/delivery.ts'),
    import('../../workers/queues.ts'),
    import('../../workers/redis.ts'),
  ]);
  const queue = new DeliveryQueue(producerConnection(config.redis.url ? redisOptionsFromUrl(config.redis.url) : { host: '127.0.0.1', port: 6379 }), config);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('Redis did not answer')), 5000)));
    await Promise.race([queue.enqueue(ids), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    await queue.close().catch(() => undefined);
  }
}

export const command: Command = {
  summary: 'number, sign and send an official document to agencies (outgoing book)',
  async run(args) {
    const { values, positionals } = parse(
      args,
      {
        to: { type: 'string', multiple: true },
        subject: { type: 'string' },
        type: { type: 'string' },
        'type-name': { type: 'string' },
        signer: { type: 'string' },
        urgency: { type: 'string' },
        secrecy: { type: 'string' },
        body: { type: 'string' },
        edxml: { type: 'boolean', default: false },
        smime: { type: 'boolean', default: false },
        'confirm-unsigned': { type: 'boolean', default: false },
        unit: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      USAGE,
    );
    const file = positionals[0];
    if (!file) throw new UsageError(`missing the document file (thiếu tệp văn bản)\nUsage: ${USAGE}`);
    if (positionals.length > 1)
      throw new UsageError(`one document file only, got ${positionals.length}: ${positionals.join(', ')} (quote a subject with spaces)\nUsage: ${USAGE}`);
    const to = (values.to ?? []).map((t) => t.trim()).filter(Boolean);
    if (!to.length)
      throw new UsageError(`--to: at least one recipient — a unit id, an address or an agency name (cần ít nhất một đơn vị nhận)\nUsage: ${USAGE}`);
    if (!values.subject?.trim()) throw new UsageError(`--subject: the summary (trích yếu) is required\nUsage: ${USAGE}`);

    let content: Buffer;
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a regular file');
      content = await readFile(file);
    } catch (err) {
      process.stderr.write(`vanthu send-document: cannot read ${file}: ${(err as Error).message} (không đọc được tệp)\n`);
      return 2;
    }
    if (!content.length) {
      process.stderr.write(`vanthu send-document: ${file} is empty (tệp rỗng)\n`);
      return 2;
    }

    // The API takes the codes; a person may type the mark ("hỏa tốc"). A secret document is refused by the gateway (409).
    let marks: { urgency: string; secrecy: string };
    try {
      marks = { urgency: parseUrgency(values.urgency), secrecy: parseSecrecy(values.secrecy) };
    } catch (err) {
      throw new UsageError(`--${(err as RegistryError).details?.reason ?? 'urgency'}: ${(err as Error).message}\nUsage: ${USAGE}`);
    }
    const config = loadConfig();
    // One configured unit: it is the sender unless told otherwise (an admin token has no unit).
    const unit = values.unit ?? (config.units.length === 1 ? config.units[0].id : undefined);
    const filename = path.basename(file);
    const contentType = CONTENT_TYPES[path.extname(filename).toLowerCase()] ?? 'application/octet-stream';
    const request = {
      ...(unit ? { unit } : {}),
      to,
      subject: values.subject,
      ...(values.type ? { typeCode: values.type } : {}),
      ...(values['type-name'] ? { typeName: values['type-name'] } : {}),
      ...(values.signer ? { signer: values.signer } : {}),
      ...(marks.urgency !== 'normal' ? { urgency: marks.urgency } : {}),
      ...(marks.secrecy !== 'normal' ? { secrecy: marks.secrecy } : {}),
      ...(values.body ? { body: values.body } : {}),
      edxml: values.edxml,
      smime: values.smime,
      ...(values['confirm-unsigned'] ? { confirmUnsigned: true } : {}),
      document: { filename, contentType, content: content.toString('base64') },
    };
    return runCli('send-document', async () => {
      let via: 'gateway' | 'direct' = 'gateway';
      let queued: boolean | null = null;
      const result = (await callRegistry<SendResult>(config, {
        method: 'POST',
        path: '/api/outgoing',
        body: request,
        direct: async (rt, p) => {
          via = 'direct';
          if (!unit) throw new CliFailure(2, `--unit: which unit sends (known: ${config.units.map((u) => u.id).join(', ')})`);
          const [{ BlobStore }, { sendDocument }] = await Promise.all([import('../../store/blobs.ts'), import('../../outgoing/send.ts')]);
          const blobs = new BlobStore(path.join(config.instance.dataDir, 'blobs'));
          await blobs.init();
          return sendDocument(rt, blobs, async (ids) => void (queued = await enqueueDirect(config, ids)), {
            unitId: unit,
            to,
            subject: values.subject!,
            typeCode: values.type ?? null,
            typeName: values['type-name'] ?? null,
            signer: values.signer ?? null,
            ...marks,
            body: values.body ?? null,
            edxml: values.edxml,
            smime: values.smime,
            confirmUnsigned: values['confirm-unsigned'],
            document: { filename, contentType, content },
            actor: p.name,
            senderEmail: null,
          });
        },
      })) as SendResult;
      const warnings = [...result.warnings];
      if (queued === false)
        warnings.push(
          'Redis không trả lời: văn bản đã vào sổ và chờ gửi; tiến trình gửi của gateway sẽ gửi khi chạy (Redis did not answer: queued in the database, the gateway worker sends it when it runs)',
        );
      // A person at a terminal reads the number and where it goes; scripts get the JSON (docs/cli.md, "Output").
      printAction(values, { ...result, warnings, via }, () => [
        `Đã vào sổ văn bản đi số ${result.notation} của ${namesFrom(config).unit(result.unitId)}, chờ gửi ${result.deliveries.length} nơi (numbered ${result.notation}; ${result.deliveries.length} deliveries queued; id ${result.id})`,
        ...result.deliveries.map((d) => `  → ${d.recipientName ? `${d.recipientName} <${d.recipient}>` : d.recipient}: ${d.state}`),
        ...warnings.map((w) => `Lưu ý (warning): ${w}`),
      ]);
      return 0;
    });
  },
};
