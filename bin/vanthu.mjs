#!/usr/bin/env node
// The TypeScript sources run directly through tsx, so `npm install && npm start` needs no build step.
// Durable accepts and checkpoints are fsync-heavy: give libuv more than its default four threads.
// Must be set before the first asynchronous file operation, hence before anything is imported.
process.env.UV_THREADPOOL_SIZE ??= '16';
const { register } = await import('tsx/esm/api');

register();
const { main } = await import('../gateway/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
