import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { addinBaseUrl, ManifestUrlError, readManifestTemplate, renderManifest } from '../../http/addin.ts';
import type { Command } from '../main.ts';
import { parse, UsageError } from '../args.ts';

const USAGE = 'vanthu addin manifest --url https://host/addin/ [--out file] [--id GUID]';

export const command: Command = {
  summary: 'write the Outlook add-in manifest for a deployment URL',
  async run(args) {
    const { values, positionals } = parse(args, { url: { type: 'string' }, out: { type: 'string' }, id: { type: 'string' } }, USAGE);
    if (positionals[0] !== 'manifest' || positionals.length !== 1) throw new UsageError(`expected the sub-command "manifest"\nUsage: ${USAGE}`);
    if (!values.url)
      throw new UsageError(`--url is required (where the gateway serves the add-in, e.g. https://vanthu.stc.lamdong.gov.vn/addin/)\nUsage: ${USAGE}`);
    let xml: string;
    try {
      xml = renderManifest(readManifestTemplate(), { baseUrl: addinBaseUrl(values.url), id: values.id });
    } catch (err) {
      if (err instanceof ManifestUrlError) throw new UsageError(`${err.message}\nUsage: ${USAGE}`);
      throw err;
    }
    if (!values.out) {
      process.stdout.write(xml);
      return 0;
    }
    const out = path.resolve(values.out);
    try {
      writeFileSync(out, xml);
    } catch (err) {
      process.stderr.write(`vanthu addin: cannot write ${out} (${(err as NodeJS.ErrnoException).code ?? err})\n`);
      return 1;
    }
    process.stderr.write(`vanthu addin: wrote ${out}\n`);
    return 0;
  },
};
