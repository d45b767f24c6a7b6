// A pdfjs thread (gateway/documents/sources/pdfjs-thread.mjs) for the tests of pdfjs-worker.ts that
// can be made to hang or die: a "PDF" that starts with STUCK holds the thread in a synchronous loop,
// as a parse no timer in the thread can stop would; one that starts with CRASH ends the thread.
import { parentPort } from 'node:worker_threads';

await import('../../gateway/documents/sources/pdfjs-thread.mjs');
parentPort.on('message', ({ data }) => {
  const head = Buffer.from(data.buffer, data.byteOffset, 5).toString('latin1');
  if (head === 'CRASH') process.exit(3);
  if (head === 'STUCK') for (;;);
});
