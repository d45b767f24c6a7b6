/**
 * Drives the built task pane in Debian's Chromium (playwright-core, headless) with the Office.js
 * test double served in place of Microsoft's CDN script. No request leaves the machine: anything
 * not on loopback is refused.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { realClockEnv } from '../../tests/helpers/processes.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts', 'addin');
export const DOCS_SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');
const OFFICE_DOUBLE = readFileSync(path.join(HERE, 'office-double.js'), 'utf8');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface OfficeItemSpec {
  internetMessageId?: string;
  subject?: string;
  from?: { displayName: string; emailAddress: string };
  to?: Array<{ displayName: string; emailAddress: string }>;
  dateTimeCreated?: string;
  bodyText?: string;
  /** The raw message getAsFileAsync returns (Mailbox 1.14). */
  mime?: string;
  attachments?: Array<{ name: string; contentType: string; base64: string }>;
  compose?: boolean;
}

export interface OfficeDoubleConfig {
  displayLanguage?: string;
  mailboxVersion?: string;
  userProfile?: { displayName: string; emailAddress: string };
  item?: OfficeItemSpec | null;
}

export interface PaneBrowser {
  context: BrowserContext;
  open(baseUrl: string, config: OfficeDoubleConfig, opts?: { viewport?: { width: number; height: number }; office?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

/** Fails (never skips) when Chromium is missing: the suite must not pass without a browser. */
export async function launchPaneBrowser(): Promise<PaneBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's "chromium" package (or set CHROMIUM_PATH)`);
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'vanthu-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, env: realClockEnv(), headless: true, args: CHROMIUM_ARGS, viewport: { width: 320, height: 720 }, locale: 'vi-VN' });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === 'appsforoffice.microsoft.com') return route.fulfill({ contentType: 'application/javascript', body: OFFICE_DOUBLE });
    if (['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.protocol === 'data:') return route.continue();
    return route.abort('blockedbyclient');
  });
  return {
    context,
    async open(baseUrl, config, opts = {}) {
      const page = await context.newPage();
      // Shorter than the test's own timeout, so a failure names the element that never came.
      page.setDefaultTimeout(20_000);
      await page.setViewportSize(opts.viewport ?? { width: 320, height: 720 });
      // Without Office.js the pane behaves as opened in a plain browser.
      if (opts.office === false) await page.route('https://appsforoffice.microsoft.com/**', (route) => route.fulfill({ contentType: 'application/javascript', body: '' }));
      await page.addInitScript((cfg) => {
        (window as unknown as { __officeDoubleConfig: unknown }).__officeDoubleConfig = cfg;
      }, config);
      await page.goto(new URL('/addin/taskpane.html', baseUrl).href);
      return page;
    },
    async close() {
      // Bounded: on two loaded cores Chromium once failed to exit and the suite's afterAll hung for
      // its whole hook timeout. After 15 s its processes (found by their profile directory) are killed.
      const closed = await Promise.race([context.close().then(() => true), new Promise<false>((r) => setTimeout(r, 15_000, false).unref())]);
      if (!closed) killByArgument(userDataDir);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** SIGKILLs every process whose command line contains `needle` (a browser's own profile directory). */
export function killByArgument(needle: string): number {
  let killed = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // it ended meanwhile
    }
    if (!cmdline.includes(needle)) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
      killed += 1;
    } catch {
      // already gone
    }
  }
  return killed;
}

/** Saves a full-page screenshot under tests/artifacts/addin/ and returns its path. */
export async function snap(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Copies the final screenshot set to docs/screenshots/ (committed, shown in the README) when the
 * set is missing there or VANTHU_PUBLISH_SCREENSHOTS=1: the pictures carry the time of the run, so
 * copying on every run would change committed files each time the suite runs. Each suite has its
 * own prefix (tests/addin-pane.test.ts "addin-", tests/addin-send-pane.test.ts "send-").
 */
export function publishScreenshots(names: string[], prefix = 'addin-'): void {
  mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
  const complete = names.every((n) => existsSync(path.join(DOCS_SCREENSHOTS, `${prefix}${n}.png`)));
  if (complete && process.env.VANTHU_PUBLISH_SCREENSHOTS !== '1') return;
  for (const f of readdirSync(DOCS_SCREENSHOTS)) if (f.startsWith(prefix) && f.endsWith('.png')) rmSync(path.join(DOCS_SCREENSHOTS, f));
  for (const n of names) copyFileSync(path.join(ARTIFACTS, `${n}.png`), path.join(DOCS_SCREENSHOTS, `${prefix}${n}.png`));
}

/** Signs in through the pane's form and waits for the signed-in header. */
export async function paneSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.locator('input[name=email]').fill(email);
  await page.locator('input[name=password]').fill(password);
  await page.locator('input[name=password]').press('Enter');
  await page.locator('header .user').waitFor();
}

/** Signs out from the pane's header and waits for the sign-in form. */
export async function paneSignOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.locator('input[name=password]').waitFor();
}
