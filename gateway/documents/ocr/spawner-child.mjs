// The spawn helper (spawner.ts; docs/ocr.md, "Started from a small helper"): a small Node process
// the gateway starts once, which forks the OCR tools for it so that the gateway's own large process
// is never copied by a fork. Plain JavaScript with no project imports, so Node starts it as it is.
//
// Messages from the gateway: {t:'env', env, vars} (an environment, sent once, later named by its
// number), {t:'run', id, file, args, env, stdin}, {t:'kill', id}. To the gateway: {t:'out', id, pid}
// with the child's standard output as a handle (the gateway reads it itself: the helper never
// touches the data), {t:'in', id} with its standard input when asked, {t:'failed', id, code,
// message} when no process was started, {t:'exit', id, code, signal, stderr} once the child has
// exited and its standard error has closed (its last 4 KiB kept).
import { spawn } from 'node:child_process';

const STDERR_KEEP = 4096;
const envs = new Map();
const children = new Map();

/** The socket's handle, its reading stopped, so that no byte is read here before it is handed over. */
function handOver(socket) {
  socket._handle?.readStop();
  return socket;
}

function run(msg) {
  let child;
  try {
    child = spawn(msg.file, msg.args, { shell: false, stdio: [msg.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: envs.get(msg.env) });
  } catch (err) {
    process.send({ t: 'failed', id: msg.id, code: err.code ?? null, message: err.message });
    return;
  }
  if (child.pid === undefined) {
    // ENOENT, EACCES: no process; 'error' follows.
    child.on('error', (err) => process.send({ t: 'failed', id: msg.id, code: err.code ?? null, message: err.message }));
    return;
  }
  children.set(msg.id, child);
  process.send({ t: 'out', id: msg.id, pid: child.pid }, handOver(child.stdout));
  if (msg.stdin) process.send({ t: 'in', id: msg.id }, handOver(child.stdin));
  let err = '';
  let exit = null;
  let stderrClosed = false;
  const done = () => {
    if (!exit || !stderrClosed) return;
    children.delete(msg.id);
    process.send({ t: 'exit', id: msg.id, code: exit[0], signal: exit[1], stderr: err.slice(-STDERR_KEEP) });
  };
  child.stderr.on('data', (chunk) => {
    err += chunk.toString('utf8');
    if (err.length > 2 * STDERR_KEEP) err = err.slice(-STDERR_KEEP);
  });
  child.stderr.on('close', () => {
    stderrClosed = true;
    done();
  });
  child.on('error', () => {});
  child.on('exit', (code, signal) => {
    exit = [code, signal];
    done();
  });
}

process.on('message', (msg) => {
  if (msg.t === 'env') envs.set(msg.env, msg.vars);
  else if (msg.t === 'run') run(msg);
  else if (msg.t === 'kill') {
    const child = children.get(msg.id);
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

// The gateway gone (its end of the channel closed): no tool outlives it.
process.on('disconnect', () => {
  for (const child of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  process.exit(0);
});
