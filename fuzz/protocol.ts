/** Messages between the harness (parent) and a target's child process. */
import type { FailureKind } from './failure.ts';
import type { FuzzInput } from './targets/types.ts';

/** A FuzzInput as it crosses the IPC channel (Buffers arrive as Uint8Array). */
export type WireInput = Omit<FuzzInput, 'bytes'> & { bytes: Uint8Array };

/** Where the child's stack watchdog (stack-watch.ts) takes triggers and writes stacks. */
export interface Watch {
  dir: string;
}

export type ToChild =
  | {
      t: 'job';
      target: string;
      seed: number;
      from: number;
      to: number;
      /** Signatures already known (found earlier in this run or saved as fixtures): counted, not minimized again. */
      known: string[];
      minimizeMs: number;
      watch: Watch;
    }
  | { t: 'replay'; target: string; inputs: Array<{ id: number; input: WireInput }>; known: string[]; minimizeMs: number; watch: Watch };

export interface WireError {
  name: string;
  message: string;
  stack: string;
}

export type FromChild =
  | { t: 'ready'; seeds: Record<string, number> }
  /**
   * About to run input `i` ("run"), a minimisation attempt ("min": timed, not counted), or about to
   * make input `i` ("gen": the harness's own time, with a longer limit).
   */
  | { t: 'start'; i: number; phase: 'gen' | 'run' | 'min'; rss: number }
  | { t: 'fail'; i: number; kind: FailureKind; error: WireError; signature: string; input: WireInput | null; fresh: boolean }
  | { t: 'minimized'; signature: string; input: WireInput; attempts: number; final: boolean }
  | { t: 'done' };

export function toWire(input: FuzzInput): WireInput {
  return { ...input, bytes: new Uint8Array(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength) };
}

export function fromWire(input: WireInput): FuzzInput {
  return { ...input, bytes: Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength) };
}
