/** The message loop of a CPU pool thread (thread.mjs starts it): one reply per task, in any order. */
import { parentPort, threadId } from 'node:worker_threads';
import type { Reply, Request } from './protocol.ts';
import { errorFields, runTask } from './tasks.ts';

export function serve(): void {
  const port = parentPort;
  if (!port) throw new Error('gateway/workers/pool/thread.ts runs in a worker thread');
  const send = (reply: Reply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);
  port.on('message', ({ id, task }: Request) => {
    runTask(task).then(
      ({ value, transfer }) => send({ id, ok: true, value, threadId }, transfer),
      (err: unknown) => send({ id, ok: false, error: errorFields(err), threadId }),
    );
  });
  send({ ready: true, threadId });
}
