/**
 * Stopping the gateway's parts (docs/operations.md, "Stopping"): in the reverse order of their start,
 * each given a bounded time. A part that fails is logged and the next one stops anyway; a part that
 * has not stopped after `stepMs` is logged by what it is and left behind, so a stuck close (a
 * connection that never answers, a job that never ends) cannot hold the shutdown for good. Nothing is
 * lost that way: what was accepted is durable, and a job cut short runs again under its lease.
 */
import type { Logger } from './log.ts';

/** How long one part may take to stop before the shutdown goes on without it. */
export const STOP_STEP_MS = 15_000;

export type StopStep = () => Promise<unknown>;

/** What a step is, for the log: its source text on one line, at most 160 characters (the closures are one-liners mostly). */
function describe(step: StopStep): string {
  const text = step.toString().replace(/\s+/g, ' ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Runs `steps` last first; resolves once each has stopped, failed or run out of its time. */
export async function stopInReverse(steps: readonly StopStep[], log: Logger, stepMs = STOP_STEP_MS): Promise<void> {
  for (const step of [...steps].reverse()) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), stepMs);
    });
    const ended = Promise.resolve()
      .then(step)
      .then(
        () => 'stopped' as const,
        (err: unknown) => {
          log.warn({ err: (err as Error)?.message ?? String(err), step: describe(step) }, 'error while stopping');
          return 'failed' as const;
        },
      );
    const outcome = await Promise.race([ended, late]);
    clearTimeout(timer);
    if (outcome === 'late') log.warn({ step: describe(step), waitedMs: stepMs }, 'a part did not stop in time; stopping the rest without it');
  }
}
