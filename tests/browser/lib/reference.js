// Builds the reference stack (tests/browser/reference: TanStack DB +
// @powersync/web, bundled with Vite) for the browser benchmarks and the sync
// tests. Both steps are skipped when their inputs have not changed since the
// last build (a hash kept next to the output), so `make test` pays for them
// once: npm ci about 5 s, vite build about 3 s.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './build.js';

export const REFERENCE = join(REPO, 'tests/browser/reference');

/** Installs (npm ci) and bundles (vite build) the reference pages into reference/dist/ unless up to date. */
export function buildReference() {
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: REFERENCE, stdio: ['ignore', 'ignore', 'inherit'] });
  const lock = hash([join(REFERENCE, 'package-lock.json')]);
  const installed = join(REFERENCE, 'node_modules/.gopowersync-lock');
  if (read(installed) !== lock) {
    run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts']);
    writeFileSync(installed, lock);
  }
  const src = join(REFERENCE, 'src');
  const pages = join(REPO, 'tests/browser/pages');
  const inputs = hash([
    installed,
    ...['vite.config.js', 'index.html', 'sync.html'].map((f) => join(REFERENCE, f)),
    ...readdirSync(src).sort().map((f) => join(src, f)),
    join(pages, 'app-common.js'),
    join(pages, 'sync-common.js'),
    join(pages, 'live-common.js'),
  ]);
  const built = join(REFERENCE, 'dist/.inputs');
  if (read(built) !== inputs) {
    run('npx', ['vite', 'build']);
    writeFileSync(built, inputs);
  }
}

function hash(files) {
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

const read = (f) => (existsSync(f) ? readFileSync(f, 'utf8') : null);
