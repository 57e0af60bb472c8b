// A dedicated worker that uses js/opfs.js itself (which then starts the
// storage worker nested inside this one): the module may run in a worker.
import { openOPFSStorage } from '/js/opfs.js';
import { decodeRecord } from '/js/opfs-worker.js';

onmessage = async ({ data: { name, journal } }) => {
  try {
    const storage = await openOPFSStorage(name, { exclusive: true });
    const before = storage.takeImage().length;
    let last = 0;
    for (let at = 0, rec; (rec = decodeRecord(journal.subarray(at))); at += rec.length) {
      last = storage.commit(journal.slice(at, at + rec.length));
    }
    await storage.durable(last);
    await storage.close();
    const again = await openOPFSStorage(name, { exclusive: true });
    const image = again.takeImage();
    await again.close();
    postMessage({ before, last, image });
  } catch (e) {
    postMessage({ error: `${e.name}: ${e.message}` });
  }
};
