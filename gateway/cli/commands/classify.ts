import type { Command } from '../main.ts';

/**
 * `vanthu classify <file>`: one JSON object on stdout (the contract in docs/contracts.md), exit 0
 * when a result was produced, 2 when the file cannot be read.
 */
export const command: Command = {
  summary: 'classify a message (.eml) or document (.pdf, .docx, .txt, .xml) and print its metadata as JSON',
  async run(args) {
    const file = args.find((a) => !a.startsWith('-'));
    if (!file) {
      process.stderr.write('Usage: vanthu classify <file.eml|.pdf|.docx|.txt|.xml>\n');
      return 2;
    }
    // Libraries must not write to stdout: it carries the JSON result only.
    console.log = (...parts: unknown[]) => process.stderr.write(parts.map(String).join(' ') + '\n');
    console.info = console.log;
    console.warn = console.log;
    const { classifyFile } = await import('../../documents/index.ts');
    let result;
    try {
      result = await classifyFile(file);
    } catch (err) {
      const { LimitExceeded } = await import('../../limits.ts');
      if (err instanceof LimitExceeded) {
        process.stderr.write(`vanthu classify: ${file}: ${err.code}: ${err.message}\n`);
        return 2;
      }
      const code = (err as NodeJS.ErrnoException).code;
      process.stderr.write(`vanthu classify: cannot read ${file}: ${code ?? (err as Error).message}\n`);
      return 2;
    }
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return 0;
  },
};
