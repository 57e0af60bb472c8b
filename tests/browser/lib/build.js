// Builds what the browser tests load: the probe module (SQLite over pagevfs
// with the OPFS glue, tests/browser/probe) and Go's wasm_exec.js.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BUILD = join(REPO, 'tests/browser/.build');

/**
 * Builds tests/browser/.build/probe.wasm. The probe imports only the OPFS
 * glue (package bridge/opfs), not the rest of the bridge.
 */
export function buildProbe() {
  mkdirSync(BUILD, { recursive: true });
  execFileSync('go', ['build', '-o', join(BUILD, 'probe.wasm'), './tests/browser/probe'], {
    cwd: REPO,
    env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
  const wasmExec = [join(goroot, 'lib/wasm/wasm_exec.js'), join(goroot, 'misc/wasm/wasm_exec.js')].find(existsSync);
  copyFileSync(wasmExec, join(BUILD, 'wasm_exec.js'));
}
