// Builds what the browser tests load: the probe module (SQLite over pagevfs
// with the OPFS glue, tests/browser/probe) and Go's wasm_exec.js.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BUILD = join(REPO, 'tests/browser/.build');

/**
 * Builds tests/browser/.build/probe.wasm. The probe needs only the OPFS glue
 * of package bridge, so the build replaces the rest of bridge with nothing
 * (go build -overlay): it does not depend on the state of the other files.
 */
export function buildProbe() {
  mkdirSync(BUILD, { recursive: true });
  const replace = {};
  for (const f of readdirSync(join(REPO, 'bridge'))) {
    if (f.endsWith('.go') && !f.startsWith('opfs')) replace[join(REPO, 'bridge', f)] = '';
  }
  goBuildProbe(replace);
  const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
  const wasmExec = [join(goroot, 'lib/wasm/wasm_exec.js'), join(goroot, 'misc/wasm/wasm_exec.js')].find(existsSync);
  copyFileSync(wasmExec, join(BUILD, 'wasm_exec.js'));
}

function goBuildProbe(replace) {
  const overlay = join(BUILD, 'overlay.json');
  writeFileSync(overlay, JSON.stringify({ Replace: replace }));
  execFileSync('go', ['build', '-overlay', overlay, '-o', join(BUILD, 'probe.wasm'), './tests/browser/probe'], {
    cwd: REPO,
    env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
}
