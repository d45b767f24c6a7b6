/**
 * What the console suites share (docs/console.md): the document intake made of a message, found by
 * the message's Message-ID, and screenshots of a page under tests/artifacts/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Config } from '../../gateway/config/load.ts';
import { type TestGateway, waitFor } from './gateway.ts';

/** The document of the message `mid` (GET /api/documents/by-message-id), once intake has made it. */
export function documentFor<T = { id: string; inboundId: string; status: string }>(gw: TestGateway, mid: string, timeoutMs = 60_000): Promise<NonNullable<T>> {
  return waitFor(
    async () => {
      const res = await gw.api(`/api/documents/by-message-id?mid=${encodeURIComponent(mid)}`);
      return res.ok ? ((await res.json()) as T) : null;
    },
    timeoutMs,
    `the document of ${mid}`,
  );
}

/** A full-page screenshot of `page` as `<dir>/<name>.png` (the folder made when missing). */
export async function screenshot(page: Page, dir: string, name: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** The unit the console and add-in suites work in: Sở Tài chính (`stc`) with its two departments. */
export function withStcUnit(c: Config): void {
  c.registry.units.stc = {
    departments: [
      { id: 'ns', name: 'Phòng Ngân sách' },
      { id: 'vp', name: 'Văn phòng Sở' },
    ],
    policy: {},
    deadlines: {},
  };
}
