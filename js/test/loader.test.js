import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../index.js';

test('init loads the module once: later calls share the first promise', async () => {
  const first = init();
  assert.equal(init(), first);
  await first;
  assert.equal(typeof globalThis.__gopowersync?.openDatabase, 'function');
  await init();
});

test('init rejects unknown options with a TypeError naming them', () => {
  assert.throws(() => init({ wasmUrl: 'x' }), { name: 'TypeError', message: /wasmUrl/ });
});
