/**
 * What crosses between the pipeline and the CPU pool's threads (docs/architecture.md, "The CPU
 * pool"): tasks and their results as discriminated unions of structured-clonable data. Bytes go as
 * ArrayBuffers in the transfer list; functions, class instances and the trust store never cross (a
 * thread loads its own trust store from the same `trust:` settings).
 */
import type { Config } from '../../config/load.ts';
import type { Classification } from '../../documents/types.ts';
import type { ClassifyLimits } from '../../documents/types.ts';
import type { ParsedMessage } from '../../mail/parse.ts';
import type { SignedRevision, SmtpSession, VerifyReport } from '../../trust/index.ts';

/** The MIME parse of a job: kept on the thread the job's tasks go to, keyed by `job`. */
interface JobTask {
  /** This job's key (one pipeline run of one message, parsed-message.ts): its tasks share one parse on the thread. */
  job: string;
  /**
   * The raw message, a copy of its bytes (transferred), on the first task of the job a thread gets:
   * the thread keeps them for the job's later tasks, which come without (one copy per job, pool.ts).
   * A thread asked without them that no longer has them answers `rawNeeded` and gets them.
   */
  raw?: Uint8Array;
  limits: Config['limits'];
}

export type PoolTask =
  /** MIME guard and mailparser: the message as the parse stage stores it, attachment bytes included. */
  | (JobTask & { kind: 'parse' })
  /** The classifier on the job's parse (documents/message.ts classifyParsed; unparsedResult when mailparser gave up). */
  | (JobTask & { kind: 'classify'; now: Date; classify: ClassifyLimits })
  /** Every signature layer of the raw message (trust/verify.ts verifyMessage); the job's parse is let go afterwards. */
  | (JobTask & { kind: 'verify'; trust: Config['trust']; smtp?: SmtpSession; now: Date })
  /** Lets go of a job's parse (the job ended before verify). */
  | { kind: 'release'; job: string }
  /** Which thread runs the pool's tasks (tests, `vanthu` diagnostics): answers with the thread's id. */
  | { kind: 'ping' };

export type TaskKind = PoolTask['kind'];

/** An attachment the classifier read, as the scan check needs it (stages/ocr-input.ts). */
export interface ReadNote {
  size: number;
  /** SHA-256 of the bytes read (a PDF with a page count only: the others are never compared). */
  sha256: string | null;
  /** No page can need OCR: every page read, each with a sound text layer or no large image (documents/ocr cannotNeedOcr). */
  noScan: boolean;
}

export interface TaskResults {
  parse: ParsedMessage;
  classify: { classification: Classification; reads: ReadNote[]; unparsed: boolean };
  verify: { report: VerifyReport; revisions: SignedRevision[] };
  release: null;
  ping: null;
}

/**
 * A thread's answer: the value, or the error as plain fields (rebuilt into the project's error
 * classes, pool.ts rebuildError), and `heap`, the bytes the thread's isolate holds after the task
 * (V8 heap resident and external memory: ArrayBuffers, Buffers), for the pool to replace a thread a
 * task made grow (pool.ts recycleHeapMb).
 */
export type Reply =
  | { id: number; ok: true; value: unknown; threadId: number; heap: number }
  | { id: number; ok: false; error: ErrorFields; threadId: number; heap: number }
  /** The task came without the raw bytes and the thread no longer has the job's (let go of, or never got): send it again with them. */
  | { id: number; rawNeeded: true; threadId: number }
  /** Sent once the thread has loaded its modules. */
  | { ready: true; threadId: number };

export interface ErrorFields {
  name: string;
  message: string;
  code?: string;
  permanent?: boolean;
  /** LimitExceeded's fields. */
  limit?: string;
  max?: number;
  observed?: number | null;
  detail?: string;
  where?: string | null;
}

export interface Request {
  id: number;
  task: PoolTask;
}
