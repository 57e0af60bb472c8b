// A TCP proxy in front of the dev sync server that a test can cut, as a
// network that goes away would: cut() resets every open connection (the
// sync stream too) and refuses new ones until resume().
//
// Chromium's offline emulation (Network.emulateNetworkConditions, which
// context.setOffline also uses) fails new requests but leaves a response
// that is already streaming untouched: the sync stream keeps delivering.
// The network-cut test uses both, so that the page sees itself offline and
// its open stream dies.
import { createServer, connect } from 'node:net';

/** Listens on 127.0.0.1 (a free port) and forwards to 127.0.0.1:port. Resolves to { url, cut(), resume(), close() }. */
export function startProxy(port) {
  const sockets = new Set();
  let cut = false;
  const server = createServer((client) => {
    if (cut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(port, '127.0.0.1');
    for (const [a, b] of [[client, upstream], [upstream, client]]) {
      sockets.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        /** Resets every open connection and refuses new ones. */
        cut() {
          cut = true;
          for (const s of sockets) s.resetAndDestroy();
        },
        resume() {
          cut = false;
        },
        close() {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(r));
        },
      });
    });
  });
}
