// Launches Debian's headless Chromium as a process group of our own (so a
// test can SIGKILL the whole browser, as a crash would) and drives it with
// playwright-core over the DevTools protocol.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--remote-debugging-port=0',
];

/** A fresh profile directory; removed by the returned cleanup. */
export function freshProfile() {
  const dir = mkdtempSync(join(tmpdir(), 'gopowersync-chromium-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts Chromium on profile dir and connects. Resolves to
 * {browser, context, pid, kill(), close()}: kill() SIGKILLs the process group.
 */
export async function launch(dir, extraFlags = []) {
  const proc = spawn(CHROMIUM, [...FLAGS, ...extraFlags, `--user-data-dir=${dir}`, 'about:blank'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ws = await new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start: ${err}`)), 30000);
    const onData = (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        proc.stderr.off('data', onData);
        resolve(m[1]);
      }
    };
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`chromium exited (${code}): ${err}`));
    });
  });
  proc.stderr.resume();
  const browser = await chromium.connectOverCDP(ws);
  const context = browser.contexts()[0];
  const exited = new Promise((r) => proc.once('exit', r));
  return {
    browser,
    context,
    /** The browser's process id, also its process group's. */
    pid: proc.pid,
    /** Kills every process of the browser at once, like a crash. */
    async kill() {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {}
      await exited;
      await browser.close().catch(() => {});
    },
    async close() {
      await browser.close().catch(() => {});
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {}
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {}
    },
  };
}

/**
 * Runs fn with a browser on a fresh profile, closing both afterwards. fn
 * gets { chrome, relaunch() }: relaunch starts a new browser on the same
 * profile (after a kill, say), and chrome then names the new one.
 */
export async function withBrowser(fn) {
  const profile = freshProfile();
  let chrome = await launch(profile.dir);
  try {
    await fn({
      get chrome() {
        return chrome;
      },
      async relaunch() {
        chrome = await launch(profile.dir);
        return chrome;
      },
    });
  } finally {
    await chrome.close();
    profile.remove();
  }
}
