/** Bytes of a text file to a string: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252. */
import { TextDecoder } from 'node:util';

export function decodeText(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder('utf-16le').decode(buf.subarray(2));
  if (buf[0] === 0xfe && buf[1] === 0xff) return new TextDecoder('utf-16be').decode(buf.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    // Legacy TCVN3/VNI files are 8-bit; legacy-encoding.ts converts the Latin-1 code points.
    return buf.toString('latin1');
  }
}
