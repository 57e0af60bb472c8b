// The storage worker's journal in real Chromium OPFS, against the test
// vector that store/pagevfs pins in Go (store/pagevfs/testdata/vector.*).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freshProfile, launch } from './lib/browser.js';
import { REPO } from './lib/build.js';
import { serve } from './lib/server.js';

const vector = JSON.parse(readFileSync(join(REPO, 'store/pagevfs/testdata/vector.json'), 'utf8'));
const journal = readFileSync(join(REPO, 'store/pagevfs/testdata/vector.journal'));

let server, profile, chrome, page;

before(async () => {
  server = await serve(REPO);
  profile = freshProfile();
  chrome = await launch(profile.dir);
  page = await chrome.context.newPage();
  await page.goto(`${server.url}/tests/browser/pages/probe.html`);
  await page.waitForFunction(() => window.pageReady);
});

after(async () => {
  await chrome?.close();
  profile?.remove();
  await server?.close();
});

// In the page: helpers to write and read OPFS files as hex.
async function inPage(fn, arg) {
  return page.evaluate(
    async ([src, arg]) => {
      const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');
      const unhex = (s) => new Uint8Array(s.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
      const root = await navigator.storage.getDirectory();
      const writeFile = async (name, bytes) => {
        const w = await (await root.getFileHandle(name, { create: true })).createWritable();
        await w.write(bytes);
        await w.close();
      };
      const readFile = async (name) => new Uint8Array(await (await (await root.getFileHandle(name)).getFile()).arrayBuffer());
      const worker = await import('/js/opfs-worker.js');
      return (0, eval)(src)({ hex, unhex, writeFile, readFile, worker, opfs: window.opfs }, arg);
    },
    [fn.toString(), arg],
  );
}

test('the worker decodes every record of the vector and rejects the torn one', async () => {
  const got = await inPage(
    ({ unhex, worker }, journalHex) => {
      const bytes = unhex(journalHex);
      const seqs = [];
      let at = 0;
      for (;;) {
        const rec = worker.decodeRecord(bytes.subarray(at));
        if (!rec) break;
        seqs.push({ seq: rec.seq, size: rec.size, pages: rec.pages.map((p) => p.offset) });
        at += rec.length;
      }
      return { seqs, rest: bytes.length - at };
    },
    journal.toString('hex'),
  );
  assert.deepEqual(
    got.seqs,
    vector.records.map((r) => ({ seq: r.seq, size: r.size, pages: r.pages.map((p) => p.offset) })),
  );
  assert.equal(got.rest, vector.tornBytes);
});

test('opening replays the journal onto the database file in OPFS and drops the torn record', async () => {
  const got = await inPage(
    async ({ hex, unhex, writeFile, readFile, opfs }, { base, journal }) => {
      await writeFile('vector.db', unhex(base));
      await writeFile('vector.db-journal', unhex(journal));
      const storage = await opfs.openOPFSStorage('vector.db', { exclusive: true });
      const image = hex(storage.takeImage());
      const replayed = storage.replayed;
      await storage.close();
      return { image, replayed, file: hex(await readFile('vector.db')), journalLeft: (await readFile('vector.db-journal')).length };
    },
    { base: vector.base, journal: journal.toString('hex') },
  );
  assert.equal(got.replayed, vector.records.length);
  assert.equal(got.image, vector.replayed, 'image handed to the page');
  assert.equal(got.file, vector.replayed, 'database file after recovery');
  assert.equal(got.journalLeft, 0, 'journal emptied after recovery');
});

test('committing the vector records through the worker writes the same file', async () => {
  const got = await inPage(
    async ({ hex, unhex, writeFile, readFile, opfs, worker }, { base, journal }) => {
      await writeFile('commit.db', unhex(base));
      const storage = await opfs.openOPFSStorage('commit.db', { exclusive: true });
      storage.takeImage();
      const bytes = unhex(journal);
      let at = 0;
      let last = 0;
      for (let rec; (rec = worker.decodeRecord(bytes.subarray(at))); at += rec.length) {
        last = storage.commit(bytes.slice(at, at + rec.length));
      }
      await storage.durable(last);
      await storage.close();
      return { last, file: hex(await readFile('commit.db')) };
    },
    { base: vector.base, journal: journal.toString('hex') },
  );
  assert.equal(got.last, vector.records.at(-1).seq);
  assert.equal(got.file, vector.replayed);
});

test('the storage works from inside a dedicated worker too', async () => {
  const got = await inPage(
    async ({ hex, unhex }, { journal }) => {
      const w = new Worker('/tests/browser/pages/in-worker.js', { type: 'module' });
      const reply = await new Promise((resolve) => {
        w.onmessage = (e) => resolve(e.data);
        w.onerror = (e) => resolve({ error: e.message });
        w.postMessage({ name: 'in-worker.db', journal: unhex(journal) });
      });
      w.terminate();
      return reply.error ? reply : { ...reply, image: hex(reply.image) };
    },
    { journal: journal.toString('hex') },
  );
  assert.equal(got.error, undefined);
  assert.equal(got.before, 0, 'a new database starts empty');
  assert.equal(got.last, vector.records.at(-1).seq);
  // Applying the vector's records to an empty file gives the replayed image
  // wherever the records wrote, and zeros elsewhere: check the written pages.
  for (const r of vector.records.slice(-1)) {
    for (const p of r.pages) assert.equal(got.image.slice(p.offset * 2, (p.offset + 64) * 2), p.data);
  }
  assert.equal(got.image.length / 2, vector.records.at(-1).size);
});
