// A tiny static file server for the browser tests: serves the repository
// on 127.0.0.1 (a secure context, so OPFS and Web Locks work) with the MIME
// types module scripts and WebAssembly streaming compilation require.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/**
 * Serves root; resolves to {url, close()} once listening on a free port.
 * .wasm files are cacheable (so V8 can cache their compiled code across
 * reloads, as a real deployment would allow); everything else is revalidated.
 * headers are added to every response (the SQLite spike makes its pages
 * cross-origin isolated, so that performance.now() has 5 µs resolution
 * instead of 100 µs).
 */
export function serve(root, headers = {}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    let st;
    try {
      st = statSync(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    if (st.isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    const ext = extname(file);
    res.writeHead(200, {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'content-length': st.size,
      'cache-control': ext === '.wasm' ? 'public, max-age=3600' : 'no-cache',
      ...headers,
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
