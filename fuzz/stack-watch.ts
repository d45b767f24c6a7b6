/**
 * A watchdog thread inside each target's child. When the harness decides that an input hangs (or
 * went over the memory bound) it drops a trigger file; this thread then connects to the main
 * thread's inspector, pauses it wherever it spins, and writes the JavaScript stack to a file the
 * harness reads after killing the child — so a hang is reported with the function at fault, not
 * just its input. An input waiting on a promise that never settles has no JavaScript running:
 * the pause never comes and the file says "idle". It also ends the child when the harness is gone.
 */
import { Worker } from 'node:worker_threads';

const WORKER = `
const { workerData } = require('node:worker_threads');
const inspector = require('node:inspector');
const fs = require('node:fs');
const { dir } = workerData;
const trigger = dir + '/capture';
function capture(why, index) {
  const session = new inspector.Session();
  session.connectToMainThread();
  const urls = new Map();
  let written = false;
  const write = (stack) => {
    if (written) return;
    written = true;
    fs.writeFileSync(dir + '/stack-' + why + '-' + index + '.txt', stack || 'idle');
    try { session.post('Debugger.resume'); session.disconnect(); } catch {}
  };
  session.on('Debugger.scriptParsed', ({ params }) => urls.set(params.scriptId, params.url));
  session.on('Debugger.paused', ({ params }) => write(params.callFrames
    .map((f) => '    at ' + (f.functionName || '<anonymous>') + ' (' + (f.url || urls.get(f.location.scriptId) || '?') + ':' + (f.location.lineNumber + 1) + ':' + (f.location.columnNumber + 1) + ')')
    .join('\\n')));
  session.post('Debugger.enable', () => session.post('Debugger.pause'));
  setTimeout(() => write(''), 3000);
}
// The harness is gone (killed): a child busy in an input would not see the IPC channel close.
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL'); }, 1000);
setInterval(() => {
  let text;
  try { text = fs.readFileSync(trigger, 'utf8'); } catch { return; }
  fs.rmSync(trigger, { force: true });
  const [why, index] = text.trim().split(' ');
  capture(why, index);
}, 25);
`;

/** Starts the watchdog thread of this process; `dir` is where the harness drops triggers and reads stacks. */
export function startStackWatch(dir: string): void {
  const worker = new Worker(WORKER, { eval: true, workerData: { dir } });
  worker.unref();
}
