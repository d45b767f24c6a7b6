/**
 * Runs once before the suites: prepares a migrated PGlite data directory that tests copy instead
 * of paying PGlite's initdb (seconds) for every fresh database.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../gateway/store/db.ts';
import { ensureBuilt as ensureAddinBuilt } from '../../addin/scripts/build.ts';
import { ensureBuilt as ensureConsoleBuilt } from '../../console/scripts/build.ts';
import { PGLITE_TEMPLATE, MIGRATIONS_DIR } from '../helpers/paths.ts';

function migrationsStamp(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const n of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, n.name);
      if (n.isDirectory()) walk(p);
      else h.update(n.name).update(readFileSync(p));
    }
  };
  walk(MIGRATIONS_DIR);
  return h.digest('hex');
}

export default async function setup(): Promise<void> {
  // The add-in suites load the built task pane from a real gateway: build it when missing or stale.
  ensureAddinBuilt();
  // The console suite loads the built web console from a real gateway.
  ensureConsoleBuilt();
  const stamp = migrationsStamp();
  const stampFile = path.join(PGLITE_TEMPLATE, 'stamp');
  const current = () => existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  if (current()) return;
  // Built beside the template and moved into place whole: another test run (a second vitest in the
  // same checkout) copying the template never sees one half-built or half-deleted.
  const building = `${PGLITE_TEMPLATE}.${process.pid}.building`;
  rmSync(building, { recursive: true, force: true });
  const database = await openDatabase({ url: null, dataDir: building });
  await database.migrate();
  await database.close();
  writeFileSync(path.join(building, 'stamp'), stamp);
  if (current()) return rmSync(building, { recursive: true, force: true });
  const old = `${PGLITE_TEMPLATE}.${process.pid}.old`;
  if (existsSync(PGLITE_TEMPLATE)) renameSync(PGLITE_TEMPLATE, old);
  try {
    renameSync(building, PGLITE_TEMPLATE);
  } catch (err) {
    // Another run put its template there first: keep it if it is of these migrations.
    if (!current()) throw err;
    rmSync(building, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}
