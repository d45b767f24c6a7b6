/** Help screens (docs/cli.md): Vietnamese first, English below; nothing here loads the gateway. */
import type { CommandHelp } from './help-text.ts';
import { HELP } from './help-text.ts';

export type { CommandHelp };

/** What a command module may tell about itself when help-text.ts has no entry for it. */
export interface HelpSource {
  summary: string;
  help?: CommandHelp;
}

function optionLines(options: CommandHelp['options'], lang: 1 | 2): string[] {
  const width = Math.max(0, ...options.map(([o]) => o.length)) + 2;
  return options.map((o) => `  ${o[0].padEnd(width)}${o[lang]}`);
}

/** The help of one command; `source` is the command module, read only when help-text.ts lacks it. */
export function commandHelp(name: string, source?: HelpSource): string {
  const h: CommandHelp = HELP[name] ??
    source?.help ?? { vi: source?.summary ?? name, en: source?.summary ?? name, usage: [`vanthu ${name} …`], options: [], examples: [] };
  const usage = h.usage.map((u) => `  ${u}`);
  const examples = h.examples.map((e) => `  ${e}`);
  const vi = [`vanthu ${name} — ${h.vi}`, '', 'Cách dùng:', ...usage];
  if (h.options.length) vi.push('', 'Tùy chọn:', ...optionLines(h.options, 1));
  if (examples.length) vi.push('', 'Ví dụ:', ...examples);
  const en = [`vanthu ${name} — ${h.en}`, '', 'Usage:', ...usage];
  if (h.options.length) en.push('', 'Options:', ...optionLines(h.options, 2));
  if (examples.length) en.push('', 'Examples:', ...examples);
  return [...vi, '', '— English —', '', ...en, ''].join('\n');
}

/** `vanthu help`: every command with its summary in both languages (`others`: those help-text.ts lacks). */
export function overview(names: string[], others: Record<string, { vi: string; en: string }>, version: string): string {
  const lines = [
    `vanthu ${version} — cổng thư điện tử văn thư (gateway for official correspondence)`,
    '',
    'Cách dùng (Usage): vanthu <lệnh> [tùy chọn]     vanthu <command> [options]',
    '                   vanthu help <lệnh>           vanthu <command> --help',
    '',
    'Lệnh (Commands):',
  ];
  for (const name of names) {
    const h = HELP[name] ?? others[name] ?? { vi: '', en: '' };
    lines.push(`  ${name.padEnd(16)} ${h.vi}`);
    if (h.en !== h.vi) lines.push(`  ${''.padEnd(16)} ${h.en}`);
  }
  lines.push('', 'Trạng thái thư và lệnh đầy đủ: docs/cli.md (message states and every command)', '');
  return lines.join('\n');
}
