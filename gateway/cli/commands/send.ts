import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../config/load.ts';
import { submitTo } from '../../notify/transport.ts';
import type { Command } from '../main.ts';
import { parse, printJson, UsageError } from '../args.ts';

const USAGE = 'vanthu send <file> --to <address> [--to ...] [--subject <text>] [--from <address>] [--host <smtp host>] [--port <n>]';

export const command: Command = {
  summary: 'mail a file (an .eml as is, anything else as an attachment) to a gateway over SMTP',
  async run(args) {
    const { values, positionals } = parse(
      args,
      { to: { type: 'string', multiple: true }, subject: { type: 'string' }, from: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' } },
      USAGE,
    );
    const file = positionals[0];
    if (!file || !values.to?.length) throw new UsageError(`a file and at least one --to are needed\nUsage: ${USAGE}`);
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch (err) {
      process.stderr.write(`vanthu send: cannot read ${file}: ${(err as Error).message}\n`);
      return 2;
    }
    const config = loadConfig();
    const server = {
      host: values.host ?? (config.smtp.host === '0.0.0.0' ? '127.0.0.1' : config.smtp.host),
      port: values.port ? Number(values.port) : config.smtp.port,
      tls: Boolean(config.smtp.tls),
    };
    const from = values.from ?? 'vanthu-cli@localhost';
    const name = path.basename(file);
    const info = file.toLowerCase().endsWith('.eml')
      ? await submitTo(server, { envelope: { from, to: values.to }, raw: content })
      : await submitTo(server, {
          from,
          to: values.to,
          subject: values.subject ?? name,
          text: `Kính gửi: ${values.to.join(', ')}\n\nGửi kèm văn bản ${name}.`,
          attachments: [{ filename: name, content }],
        });
    printJson({ messageId: info.messageId, accepted: info.accepted, rejected: info.rejected, response: info.response });
    return info.rejected.length ? 1 : 0;
  },
};
