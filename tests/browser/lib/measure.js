// What the browser benchmarks measure outside the page: the memory of the
// browser's renderer processes, a sampler of it and of the page's JS heap,
// and the compressed size of the files a page fetched.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Bytes in MB, one decimal. */
export function mb(bytes) {
  return Math.round(bytes / 1e5) / 10;
}

/**
 * The memory (bytes) of the renderer processes in the browser's process
 * group: the sum of their proportional set sizes (PSS: a page shared by n
 * processes counts 1/n in each, so shared code is not counted n times).
 * Workers run in their page's renderer, so they are in it.
 */
export function renderersPSS(pgid) {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue; // pgrp
      if (!readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const pss = /Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${d}/smaps_rollup`, 'utf8'));
      if (pss) total += Number(pss[1]) * 1024;
    } catch {} // the process ended meanwhile
  }
  return total;
}

/** The page's used JS heap (main thread), in bytes, from a CDP session with Performance enabled. */
export async function jsHeap(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics').catch(() => ({ metrics: [] }));
  return metrics.find((x) => x.name === 'JSHeapUsedSize')?.value ?? 0;
}

/** Samples the page's JS heap (CDP) and the renderers' PSS every 100 ms until stop(). */
export function sample(pid, cdp) {
  const s = { peakHeap: 0, peakPSS: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      s.peakHeap = Math.max(s.peakHeap, await jsHeap(cdp));
      s.peakPSS = Math.max(s.peakPSS, renderersPSS(pid));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  s.stop = async () => {
    running = false;
    await loop;
  };
  return s;
}

const compressed = new Map();

/**
 * Sums the sizes of the repository files behind the fetched paths: raw,
 * gzip -9 and brotli at quality 11 (for a file with a precompressed FILE.br
 * beside it, as dist/ has, that file's size: compressing 16 MB at quality 11
 * takes a minute).
 */
export function transferred(repo, paths) {
  const sum = { files: 0, raw: 0, gzip: 0, brotli: 0 };
  for (const p of paths) {
    const file = join(repo, decodeURIComponent(p));
    if (!existsSync(file)) continue;
    if (!compressed.has(file)) {
      const data = readFileSync(file);
      const br = existsSync(`${file}.br`)
        ? readFileSync(`${file}.br`).length
        : brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }).length;
      compressed.set(file, { raw: data.length, gzip: gzipSync(data, { level: 9 }).length, brotli: br });
    }
    const c = compressed.get(file);
    sum.files++;
    sum.raw += c.raw;
    sum.gzip += c.gzip;
    sum.brotli += c.brotli;
  }
  return sum;
}
