// Shared set-up for the Node contract tests.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { init, Schema, Table, column, PowerSyncDatabase } from '../index.js';

/** The schema most tests use. */
export function appSchema() {
  return new Schema({
    documents: new Table(
      { name: column.text, content: column.text, n: column.integer, score: column.real },
      { indexes: { by_name: ['name'] } },
    ),
    notes: new Table({ body: column.text }, { trackMetadata: true }),
  });
}

/** A temporary directory removed after the test file. */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'gopowersync-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Opens a database for one test: ':memory:' or a file in a temporary
 * directory. Closed after the test file.
 */
export async function openDatabase(dbFilename = ':memory:', schema = appSchema()) {
  await init();
  const db = new PowerSyncDatabase({ schema, database: { dbFilename } });
  await db.init();
  after(() => db.close());
  return db;
}

/** Polls predicate until it is truthy or the deadline passes. */
export async function waitFor(predicate, what = 'condition', ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
