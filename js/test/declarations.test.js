// index.d.ts declares exactly what index.js exports: a name added to one
// and not the other is caught here (the type check in js/test/types checks
// the declarations themselves).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

test('index.d.ts declares every value index.js exports, and nothing more', async () => {
  const runtime = Object.keys(await import('../index.js')).sort();
  const text = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8');
  const declared = [...text.matchAll(/^export (?:declare )?(?:abstract )?(?:class|function|const|let|enum) ([A-Za-z_$][\w$]*)/gm)]
    .map((m) => m[1]);
  assert.deepEqual([...new Set(declared)].sort(), runtime);
});
