/**
 * Working files (blob temp files, journal segments and packs) are named `<ms since epoch, base 36>-…`
 * when they are created. Their age is read from that name, in the same clock as the process that
 * compares it, rather than from the file system's mtime: the two clocks agree on a healthy host,
 * but a process whose clock is shifted (a test run under faketime, a container with a skewed clock)
 * would otherwise take every file for ancient or brand new.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

/** A new stamped file name: creation time, then the given distinguishing parts. */
export function stampedName(...parts: string[]): string {
  return [Date.now().toString(36), ...parts].join('-');
}

/** Milliseconds since the file was created, from its stamped name; from its mtime when the name has no stamp. */
export async function fileAgeMs(file: string): Promise<number | null> {
  const stamp = /^([0-9a-z]{8,9})-/.exec(path.basename(file));
  const created = stamp ? Number.parseInt(stamp[1], 36) : NaN;
  if (Number.isFinite(created)) return Date.now() - created;
  const st = await fs.stat(file).catch(() => null);
  return st ? Date.now() - st.mtimeMs : null;
}
