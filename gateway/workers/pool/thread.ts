/** The message loop of a CPU pool thread (thread.mjs starts it): one reply per task, in any order. */
import v8 from 'node:v8';
import { parentPort, threadId } from 'node:worker_threads';
import type { Reply, Request } from './protocol.ts';
import { errorFields, RawNeeded, runTask } from './tasks.ts';

export function serve(): void {
  const port = parentPort;
  if (!port) throw new Error('gateway/workers/pool/thread.ts runs in a worker thread');
  const send = (reply: Reply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);
  /** What this isolate holds now (protocol.ts Reply `heap`). */
  const heap = () => {
    const h = v8.getHeapStatistics();
    return h.total_physical_size + h.external_memory;
  };
  port.on('message', ({ id, task }: Request) => {
    runTask(task).then(
      ({ value, transfer }) => send({ id, ok: true, value, threadId, heap: heap() }, transfer),
      (err: unknown) => send(err instanceof RawNeeded ? { id, rawNeeded: true, threadId } : { id, ok: false, error: errorFields(err), threadId, heap: heap() }),
    );
  });
  send({ ready: true, threadId });
}
