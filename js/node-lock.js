// A lock file that keeps a Node process's database file to itself. SQLite
// under the Go module has no file locks in Node (Node offers none), so a
// second process writing the same file got "disk I/O error" or read stale
// pages. Like the Web Lock in browsers (opfs.js), the lock makes the second
// opener fail at open with DatabaseLockedError, before it touches the file.
//
// The lock is `<file>.lock`, holding the owner's pid and a token, linked
// into place so that it never exists half written. A lock whose pid no longer runs (a crash) is
// stale: it is moved aside by rename, which only one taker wins, and taken.

import { DatabaseLockedError } from './errors.js';

const held = new Map(); // absolute lock path -> token, in this process

/**
 * Takes the lock of the database file dbFilename; resolves to the function
 * that releases it. Rejects with DatabaseLockedError when another process,
 * or another database object of this one, holds it.
 */
export async function lockDatabaseFile(dbFilename) {
  const [{ writeFileSync, linkSync, readFileSync, renameSync, unlinkSync }, { resolve, dirname }, { randomUUID }] =
    await Promise.all([import('node:fs'), import('node:path'), import('node:crypto')]);
  const lock = `${resolve(dbFilename)}.lock`;
  if (held.has(lock)) throw new DatabaseLockedError(dbFilename);
  const token = `${process.pid} ${randomUUID()}`;
  // The lock appears with its content at once: written aside, then linked
  // into place, which fails if a lock exists.
  const mine = `${lock}.${token.replace(' ', '-')}`;
  try {
    writeFileSync(mine, token);
  } catch (e) {
    // The lock is the first thing an open writes: a missing directory (or a
    // file where one should be) shows here, and its words name the
    // database file, not the lock's temporary name.
    if (e.code !== 'ENOENT' && e.code !== 'ENOTDIR') throw e;
    const file = resolve(dbFilename);
    throw new Error(`cannot open the database file "${file}": there is no directory "${dirname(file)}"; ` +
      'dbFilename (joined to dbLocation when given) must name a file in an existing directory', { cause: e });
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, lock);
      } catch (e) {
        if (e.code !== 'EEXIST') throw e;
        let owner;
        try {
          owner = readFileSync(lock, 'utf8');
        } catch (r) {
          if (r.code === 'ENOENT') continue; // released meanwhile
          throw r;
        }
        if (running(Number.parseInt(owner, 10))) throw new DatabaseLockedError(dbFilename);
        // Stale: move it aside (one taker wins the rename) and try again.
        const aside = `${mine}.stale`;
        try {
          renameSync(lock, aside);
          unlinkSync(aside);
        } catch (r) {
          if (r.code !== 'ENOENT') throw r;
        }
        continue;
      }
      held.set(lock, token);
      return () => {
        held.delete(lock);
        try {
          if (readFileSync(lock, 'utf8') === token) unlinkSync(lock);
        } catch (e) {
          if (e.code !== 'ENOENT') throw e;
        }
      };
    }
    throw new DatabaseLockedError(dbFilename);
  } finally {
    unlinkSync(mine);
  }
}

/** Whether a process with this pid runs (one of another user counts). */
function running(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false; // garbage: stale
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}
