/**
 * What the console suites share (docs/console.md): the document intake made of a message, found by
 * the message's Message-ID, screenshots of a page under tests/artifacts/, the people a suite adds
 * and signs in (over the API and in the browser), and a mark on a page that a reload would drop.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { PaneBrowser } from '../../addin/test/browser.ts';
import type { Config } from '../../gateway/config/load.ts';
import { okJson, type TestGateway, waitFor } from './gateway.ts';

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

/** A person a suite adds (POST /api/users). */
export interface Person {
  email: string;
  name: string;
  role: string;
  unit?: string;
  department?: string;
}

/** Adds each person with `password`, in `unit` where given; their ids, in order. A refusal throws. */
export async function addPeople(gw: TestGateway, people: readonly Person[], password: string, unit?: string): Promise<string[]> {
  const ids: string[] = [];
  for (const p of people) {
    const res = await gw.api('/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...p, ...(unit ? { unit } : {}), password }),
    });
    if (res.status !== 201) throw new Error(`adding ${p.email}: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  return ids;
}

/** The bearer token of `email` signed in over the API (POST /api/auth/login). */
export async function loginToken(gw: TestGateway, email: string, password: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${gw.httpPort}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return (await okJson<{ token: string }>(res)).token;
}

/** Adds each of `people` (by name) with `password` and signs them in: their tokens, by name. */
export async function addSignedIn<K extends string>(gw: TestGateway, people: Readonly<Record<K, Person>>, password: string): Promise<Record<K, string>> {
  const tokens = {} as Record<K, string>;
  for (const [who, p] of Object.entries(people) as Array<[K, Person]>) {
    await addPeople(gw, [p], password);
    tokens[who] = await loginToken(gw, p.email, password);
  }
  return tokens;
}

export interface ConsolePageOptions {
  /** The viewport's height (default 768; 1366 wide). */
  height?: number;
  /** Sign in on the start page, then go to the hash (default: open the page at the hash and sign in there). */
  hashAfter?: boolean;
}

/** A new page of `browser` on the console of `gw`, signed in through its form as `email`, at `hash`. */
export async function consolePage(
  browser: PaneBrowser,
  gw: TestGateway,
  who: { email: string; password: string },
  hash: string,
  opts: ConsolePageOptions = {},
): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(30_000);
  await page.setViewportSize({ width: 1366, height: opts.height ?? 768 });
  await page.goto(`http://127.0.0.1:${gw.httpPort}/${opts.hashAfter ? '' : hash}`);
  await page.locator('input[name=email]').fill(who.email);
  await page.locator('input[name=password]').fill(who.password);
  await page.locator('input[name=password]').press('Enter');
  await page.getByTestId('user').waitFor();
  if (opts.hashAfter)
    await page.evaluate((h) => {
      location.hash = h;
    }, hash);
  return page;
}

/** Marks the page: a reload would drop the mark. */
export const markPage = (page: Page) => page.evaluate(() => Object.assign(window, { __stillHere: true }));
/** Whether the page still has markPage's mark (it was not reloaded). */
export const stillMarked = (page: Page) => page.evaluate(() => (window as unknown as { __stillHere?: boolean }).__stillHere === true);
