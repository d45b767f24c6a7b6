/**
 * npm run bench:console -- [--docs 10000] [--review 40] [--runs 5] [--pg URL]
 *
 * First page load of the web console with a big book: a real gateway (embedded PGlite, or
 * PostgreSQL with --pg) whose unit holds --docs registered documents of this year and --review
 * items waiting for the clerk, and Debian's Chromium at 1366×768 with a clerk's session. For each
 * run, a new tab navigates to the review queue and then to the incoming book; measured from the
 * start of the navigation (the browser's time origin) to the moment the list is usable (its first
 * row in the page), plus the time of the API call behind each list. The first run has a cold
 * browser cache (the bundles are fetched), the others a warm one. Prints one JSON object.
 * Benchmarked, not asserted: the goal (< 1 s, issue 19) is compared in the output only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, type Page } from 'playwright-core';
import { ensureBuilt } from '../console/scripts/build.ts';
import { startVanthu } from '../gateway/app.ts';
import { loadConfig } from '../gateway/config/load.ts';
import { silentLogger } from '../gateway/log.ts';
import { newId } from '../gateway/store/ids.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const DOCS = Number(opt('docs', '10000'));
const REVIEW = Number(opt('review', '40'));
const RUNS = Number(opt('runs', '5'));
const PG = opt('pg', '');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = 'mat-khau-do-hieu-nang';
const YEAR = 2026;

const log = (s: string) => process.stderr.write(`[bench:console] ${s}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 10) / 10;

ensureBuilt();
const dataDir = mkdtempSync(path.join(tmpdir(), 'vanthu-bench-console-'));
const config = loadConfig({
  VANTHU_DATA_DIR: dataDir,
  VANTHU_SMTP_PORT: '0',
  VANTHU_HTTP_PORT: '0',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  VANTHU_REDIS_PREFIX: `bc${randomBytes(4).toString('hex')}`,
  VANTHU_DNS: 'off',
  ...(PG ? { DATABASE_URL: PG } : {}),
});
const app = await startVanthu(config, 'all', silentLogger);
const base = `http://127.0.0.1:${app.httpPort}`;
const admin = config.http.tokens[0].token;
const api = (p: string, init: RequestInit = {}) =>
  fetch(`${base}${p}`, { ...init, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

try {
  const unit = config.units[0].id;
  const added = await api('/api/users', {
    method: 'POST',
    body: JSON.stringify({ email: `van.thu@${unit}.bench`, name: 'Văn thư đo hiệu năng', role: 'clerk', unit, password: PASSWORD }),
  });
  if (added.status !== 201) throw new Error(`adding the clerk: ${added.status} ${await added.text()}`);

  // The book: DOCS registered documents spread over the year, numbered 1..DOCS, and REVIEW items waiting.
  log(`seeding ${DOCS} registered documents and ${REVIEW} review items in unit ${unit}`);
  const issuers = ['Ủy ban nhân dân tỉnh Lâm Đồng', 'Sở Tài chính', 'Sở Nội vụ', 'Bộ Tài chính', 'Văn phòng Chính phủ'];
  const subjects = [
    'V/v báo cáo tình hình sử dụng văn bản điện tử',
    'V/v điều chỉnh dự toán ngân sách',
    'V/v kế hoạch chuyển đổi số',
    'V/v tổng hợp số liệu quý',
  ];
  const seeded = Array.from({ length: DOCS + REVIEW }, (_, i) => {
    const registered = i < DOCS;
    const day = 1 + (i % 330);
    const at = new Date(Date.UTC(YEAR, 0, 1, 2) + day * 86_400_000 + (i % 500) * 60_000).toISOString();
    const issuer = issuers[i % issuers.length];
    const subject = `${subjects[i % subjects.length]} số ${i + 1}`;
    return { id: newId(), registered, n: registered ? i + 1 : null, at, notation: `${i + 1}/UBND-VP`, issuer, subject };
  });
  for (let i = 0; i < seeded.length; i += 2000) {
    const chunk = seeded.slice(i, i + 2000);
    const col = <K extends keyof (typeof chunk)[number]>(k: K) => chunk.map((d) => d[k]);
    await app.database.query(
      `insert into documents (id, unit_id, status, reasons, book_year, book_number, arrival_at, registered_at, notation, issuer, issued_date,
         type_code, type_name, subject, search_text, dedup_key)
       select u.id, $1, case when u.registered then 'received' else 'review' end,
         case when u.registered then '[]'::jsonb else '["Độ tin cậy thấp"]'::jsonb end,
         case when u.registered then ${YEAR} end, u.n, u.at::timestamptz, case when u.registered then u.at::timestamptz end,
         u.notation, u.issuer, '${YEAR}-01-02', 'CV', 'Công văn', u.subject, lower(u.subject || ' ' || u.issuer), 'bench-' || u.id
       from unnest($2::text[], $3::boolean[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[])
         as u(id, registered, n, at, notation, issuer, subject)`,
      [unit, col('id'), col('registered'), col('n'), col('at'), col('notation'), col('issuer'), col('subject')],
    );
  }
  await app.database.query('analyze documents', []);

  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `van.thu@${unit}.bench`, password: PASSWORD }),
  });
  const { token } = (await login.json()) as { token: string };
  const userDir = mkdtempSync(path.join(tmpdir(), 'vanthu-bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    viewport: { width: 1366, height: 768 },
    locale: 'vi-VN',
  });
  await context.addInitScript((t) => sessionStorage.setItem('vanthu.console.token', t), token);

  /**
   * Navigates and answers the ms from the navigation's start to the first row of the list, the
   * list's API call, and what the page fetched until then (requests, bytes of script and of all).
   */
  const load = async (page: Page, hash: string, row: string, call: string) => {
    const fetched: Array<Promise<{ url: string; bytes: number }>> = [];
    page.on('response', (r) => {
      // The live list's event stream never ends: counted as a request, not waited for.
      if (r.url().includes('/api/events')) return void fetched.push(Promise.resolve({ url: r.url(), bytes: 0 }));
      fetched.push(
        r.body().then(
          (b) => ({ url: r.url(), bytes: b.length }),
          () => ({ url: r.url(), bytes: 0 }),
        ),
      );
    });
    const timing = page
      .waitForResponse((r) => r.url().includes(call))
      .then(async (r) => {
        await r.finished();
        return r.request().timing().responseEnd;
      });
    await page.goto(`${base}/${hash}`);
    const usable = await page.waitForFunction((sel) => (document.querySelector(sel) ? performance.now() : null), row, { polling: 'raf', timeout: 30_000 });
    const files = await Promise.all(fetched);
    const bytes = (pick: (u: string) => boolean) => files.filter((f) => pick(f.url)).reduce((n, f) => n + f.bytes, 0);
    const first = { requests: files.length, js_bytes: bytes((u) => u.endsWith('.js') || u.endsWith('.mjs')), all_bytes: bytes(() => true) };
    return { usable: (await usable.jsonValue()) as number, api: await timing, rows: await page.locator(row).count(), first };
  };
  const review: number[] = [];
  const book: number[] = [];
  const reviewApi: number[] = [];
  const bookApi: number[] = [];
  let shown = { review: 0, book: 0 };
  const coldLoad: Record<string, { requests: number; js_bytes: number; all_bytes: number }> = {};
  for (let r = 0; r < RUNS; r++) {
    for (const [hash, sel, call, into, apiInto, key] of [
      ['#/review', 'ol.queue > li', '/api/review', review, reviewApi, 'review'],
      ['#/books', 'table tbody tr', '/api/documents', book, bookApi, 'book'],
    ] as const) {
      const page = await context.newPage();
      const m = await load(page, hash, sel, call);
      into.push(m.usable);
      apiInto.push(m.api);
      shown = { ...shown, [key]: m.rows };
      if (r === 0) coldLoad[key] = m.first;
      await page.close();
    }
  }
  await context.close();
  rmSync(userDir, { recursive: true, force: true });
  const summary = (xs: number[]) => ({ first_cold_ms: round(xs[0]), median_ms: round(median(xs)), max_ms: round(Math.max(...xs)), runs: xs.map(round) });
  process.stdout.write(
    `${JSON.stringify({
      bench: 'console-first-load',
      backend: PG ? 'postgresql' : 'pglite',
      registered_documents: DOCS,
      review_items: REVIEW,
      viewport: '1366x768',
      runs: RUNS,
      review_queue: { ...summary(review), rows_shown: shown.review, api_response_end_ms_median: round(median(reviewApi)), first_load: coldLoad.review },
      incoming_book: { ...summary(book), rows_shown: shown.book, api_response_end_ms_median: round(median(bookApi)), first_load: coldLoad.book },
      goal_ms: 1000,
      meets_goal: median(review) < 1000 && median(book) < 1000,
    })}\n`,
  );
} finally {
  await app.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
