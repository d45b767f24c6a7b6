/**
 * The `vanthu` command: dispatches to one module per sub-command (docs/cli.md).
 * Each command module exports `command` with `run(args)` returning the process exit code.
 * Commands print their result on stdout; logs go to stderr. Help and --version load no command:
 * their text is in help-text.ts, so they answer without loading the gateway.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './args.ts';
import { type CommandHelp, commandHelp, overview } from './help.ts';
import { nearest } from './nearest.ts';

export interface Command {
  summary: string;
  /** Help for a command help-text.ts does not describe. */
  help?: CommandHelp;
  run(args: string[]): Promise<number>;
}

type Loader = () => Promise<{ command: Command }>;

export const commands: Record<string, Loader> = {
  start: () => import('./commands/start.ts'),
  migrate: () => import('./commands/migrate.ts'),
  ingest: () => import('./commands/ingest.ts'),
  send: () => import('./commands/send.ts'),
  messages: () => import('./commands/messages.ts'),
  show: () => import('./commands/show.ts'),
  search: () => import('./commands/search.ts'),
  classify: () => import('./commands/classify.ts'),
  ocr: () => import('./commands/ocr.ts'),
  verify: () => import('./commands/verify.ts'),
  connectors: () => import('./commands/connectors.ts'),
  status: () => import('./commands/status.ts'),
  addin: () => import('./commands/addin.ts'),
  certs: () => import('./commands/certs.ts'),
  users: () => import('./commands/users.ts'),
  review: () => import('./commands/review.ts'),
  register: () => import('./commands/register.ts'),
  'signed-revision': () => import('./commands/signed-revision.ts'),
  assign: () => import('./commands/assign.ts'),
  done: () => import('./commands/done.ts'),
  book: () => import('./commands/book.ts'),
  audit: () => import('./commands/audit.ts'),
  'send-document': () => import('./commands/send-document.ts'),
  issuance: () => import('./commands/issuance.ts'),
  outgoing: () => import('./commands/outgoing.ts'),
  directory: () => import('./commands/directory.ts'),
  demo: () => import('./commands/demo.ts'),
  'renew-timestamp': () => import('./commands/renew-timestamp.ts'),
};

export function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** `--help` or `-h` among the arguments (before a `--` that ends the options). */
/** ' Có phải "messages"? (did you mean "messages"?)' for a mistyped command, else ''. */
function didYouMean(name: string): string {
  const near = nearest(name, Object.keys(commands));
  return near ? ` Có phải "${near}"? (did you mean "${near}"?)` : '';
}

function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

async function printOverview(out: NodeJS.WriteStream): Promise<void> {
  // Commands help-text.ts does not know (added since) are loaded for their summary.
  const others: Record<string, { vi: string; en: string }> = {};
  const { HELP } = await import('./help-text.ts');
  for (const name of Object.keys(commands)) {
    if (HELP[name]) continue;
    const { command } = await commands[name]();
    others[name] = command.help ?? { vi: command.summary, en: command.summary };
  }
  out.write(overview(Object.keys(commands), others, version()));
}

async function printCommandHelp(name: string): Promise<void> {
  const { HELP } = await import('./help-text.ts');
  process.stdout.write(commandHelp(name, HELP[name] ? undefined : (await commands[name]()).command));
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    await printOverview(process.stderr);
    return 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`vanthu ${version()}\n`);
    return 0;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = rest[0];
    if (!topic) await printOverview(process.stdout);
    else if (commands[topic]) await printCommandHelp(topic);
    else {
      process.stderr.write(`vanthu: không có lệnh "${topic}" (unknown command).${didYouMean(topic)} Run "vanthu help".\n`);
      return 2;
    }
    return 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`vanthu: unknown command "${name}" (lệnh không hợp lệ).${didYouMean(name)} Run "vanthu help".\n`);
    return 2;
  }
  if (wantsHelp(rest)) {
    await printCommandHelp(name);
    return 0;
  }
  const { command } = await load();
  try {
    return await command.run(rest);
  } catch (err) {
    process.stderr.write(`vanthu ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof UsageError) {
      process.stderr.write(`(vanthu ${name} --help: cách dùng / usage)\n`);
      return 2;
    }
    const { ConfigError } = await import('../config/load.ts');
    return err instanceof ConfigError ? 2 : 1;
  }
}
