/**
 * The scale-out layout of docs/operations.md ("Scaling") on one machine, for `npm run bench:e2e --
 * --pg --workers N`: one `vanthu start --role gateway` (SMTP, HTTP, outbox sweep) and N `vanthu
 * start --role worker` processes (the pipeline), all children of this one, so the bench measures
 * their CPU and memory as one process tree. SIGTERM is passed on to every child; this process ends
 * when they all have, with the first non-zero exit code.
 *
 *   node bench/e2e/roles.mjs <root> <workers>
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const [root, n] = process.argv.slice(2);
const bin = path.join(root, 'bin/vanthu.mjs');
const roles = ['gateway', ...Array.from({ length: Number(n) }, () => 'worker')];
const children = roles.map((role) => spawn(process.execPath, [...process.execArgv, bin, 'start', '--role', role], { cwd: root, stdio: 'inherit' }));
let code = 0;
let left = children.length;
for (const c of children)
  c.once('exit', (c2, signal) => {
    if (!code && (c2 || signal)) code = c2 || 1;
    if (--left === 0) process.exit(code);
  });
for (const sig of ['SIGTERM', 'SIGINT'])
  process.on(sig, () => {
    for (const c of children) if (c.exitCode === null) c.kill(sig);
  });
