/**
 * The `vanthu` command: dispatches to one module per sub-command.
 * Each command module exports `run(args)` returning the process exit code.
 * Commands print their result on stdout; logs go to stderr.
 */
export interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

type Loader = () => Promise<{ command: Command }>;

const commands: Record<string, Loader> = {
  start: () => import('./commands/start.ts'),
  migrate: () => import('./commands/migrate.ts'),
  ingest: () => import('./commands/ingest.ts'),
  send: () => import('./commands/send.ts'),
  messages: () => import('./commands/messages.ts'),
  classify: () => import('./commands/classify.ts'),
  verify: () => import('./commands/verify.ts'),
  connectors: () => import('./commands/connectors.ts'),
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
  directory: () => import('./commands/directory.ts'),
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await printHelp();
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`vanthu: unknown command "${name}" (lệnh không hợp lệ). Run "vanthu help".\n`);
    return 2;
  }
  const { command } = await load();
  try {
    return await command.run(rest);
  } catch (err) {
    process.stderr.write(`vanthu ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof Error && ['ConfigError', 'UsageError'].includes(err.constructor.name) ? 2 : 1;
  }
}

async function printHelp(): Promise<void> {
  const lines = ['Usage: vanthu <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(commands)) {
    const { command } = await load();
    lines.push(`  ${name.padEnd(16)} ${command.summary}`);
  }
  process.stderr.write(lines.join('\n') + '\n');
}
