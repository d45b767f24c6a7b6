/**
 * Streams one incoming message into a temp file of the blob store, hashing as it goes: SHA-256
 * of the raw bytes (the blob name), SHA-256 of the body (the content hash for de-duplication:
 * the same message fetched over IMAP differs from the SMTP copy only in trace headers), and the
 * Message-ID from the header block. Nothing is durable yet: DurableAccept commits it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { JOURNAL_MAX_BYTES, type BlobStore, type PendingBlob } from '../store/blobs.ts';
import { bodyOffset, extractMessageId } from '../mail/header.ts';
import { PermanentError } from '../errors.ts';

/** A spooled message: `data` holds a small one in memory, else `tmpPath` names its temp file. */
export interface SpooledMessage extends PendingBlob {
  bodyHash: string;
  messageId: string | null;
}

/** The message is over the size limit: SMTP answers 552, HTTP 413, IMAP leaves it in the mailbox. */
export class MessageTooLargeError extends PermanentError {
  constructor(readonly limit: number) {
    super('message-too-large', `message exceeds the size limit of ${limit} bytes`);
    this.name = 'MessageTooLargeError';
  }
}

const HEADER_CAP = 256 * 1024;

export async function spoolMessage(source: Readable, blobs: BlobStore, maxBytes: number): Promise<SpooledMessage> {
  const raw = createHash('sha256');
  const body = createHash('sha256');
  let header: Buffer | null = Buffer.alloc(0) as Buffer; // null once the body has started
  let headerBlock: Buffer = Buffer.alloc(0);
  let size = 0;
  let tooLarge = false;
  // Small messages stay in memory (the accept journal writes them); past the limit they go to a temp file.
  let kept: Buffer[] | null = [];
  let file: { path: string; fh: fs.FileHandle } | null = null;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (tooLarge || size > maxBytes) {
        tooLarge = true; // keep draining: the SMTP client is still sending
        continue;
      }
      raw.update(chunk);
      if (header) {
        const joined: Buffer = Buffer.concat([header, chunk]);
        const at = bodyOffset(joined);
        if (at >= 0) {
          headerBlock = joined.subarray(0, at);
          body.update(joined.subarray(at));
          header = null;
        } else if (joined.length > HEADER_CAP) {
          headerBlock = joined.subarray(0, HEADER_CAP);
          body.update(joined);
          header = null;
        } else header = joined;
      } else body.update(chunk);
      if (kept && size <= JOURNAL_MAX_BYTES) {
        kept.push(chunk);
        continue;
      }
      if (!file) {
        const p = blobs.newTmpPath();
        file = { path: p, fh: await fs.open(p, 'wx') };
        if (kept) await file.fh.writev(kept);
        kept = null;
      }
      await file.fh.write(chunk);
    }
  } catch (err) {
    await discardFile(file);
    throw err;
  }
  if (tooLarge) {
    await discardFile(file);
    throw new MessageTooLargeError(maxBytes);
  }
  if (file) {
    // Synced before it is closed: DurableAccept's commit then renames it without opening it again.
    try {
      await file.fh.datasync();
    } catch (err) {
      await discardFile(file);
      throw err;
    }
    await file.fh.close();
  }
  if (header) {
    // No blank line: the whole message is header; its content hash is the raw hash.
    headerBlock = header;
    body.update(header);
  }
  return {
    tmpPath: file?.path ?? '',
    synced: file !== null,
    size,
    sha256: raw.digest('hex'),
    bodyHash: body.digest('hex'),
    messageId: extractMessageId(headerBlock),
    data: kept ? Buffer.concat(kept) : undefined,
  };
}

async function discardFile(file: { path: string; fh: fs.FileHandle } | null): Promise<void> {
  if (!file) return;
  await file.fh.close().catch(() => undefined);
  await fs.rm(file.path, { force: true });
}
