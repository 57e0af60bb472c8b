// Size of each Go package's code in a GOOS=js module. `go tool nm` cannot
// read WebAssembly, so this reads the module itself: the code section gives
// each function body's size, the name section (present unless the module
// was linked with -s) its Go name.
//   GOOS=js GOARCH=wasm go build -trimpath -o /tmp/m.wasm ./wasm/gopowersync
//   node js/tools/wasm-size.mjs /tmp/m.wasm [top-functions]
import { readFileSync } from 'node:fs';

const buf = readFileSync(process.argv[2]);
const topN = Number(process.argv[3] ?? 15);
let pos = 8;
function u32() {
  let result = 0, shift = 0, b;
  do { b = buf[pos++]; result |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
  return result >>> 0;
}
function str() { const n = u32(); const s = buf.toString('utf8', pos, pos + n); pos += n; return s; }

let imported = 0;
const bodies = [];
const names = new Map();
const sections = [];
while (pos < buf.length) {
  const id = buf[pos++];
  const size = u32();
  const end = pos + size;
  if (id === 0) {
    const name = str();
    sections.push([`custom:${name}`, size]);
    if (name === 'name') {
      while (pos < end) {
        const sub = buf[pos++];
        const subSize = u32();
        const subEnd = pos + subSize;
        if (sub === 1) {
          const count = u32();
          for (let i = 0; i < count; i++) { const idx = u32(); names.set(idx, str()); }
        }
        pos = subEnd;
      }
    }
  } else {
    sections.push([['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount'][id] ?? id, size]);
    if (id === 2) {
      const count = u32();
      for (let i = 0; i < count; i++) {
        str(); str();
        const kind = buf[pos++];
        if (kind === 0) { u32(); imported++; } else if (kind === 1) { pos++; const f = u32(); u32(); if (f & 1) u32(); } else if (kind === 2) { const f = u32(); u32(); if (f & 1) u32(); } else if (kind === 3) { pos += 2; }
      }
    } else if (id === 10) {
      const count = u32();
      for (let i = 0; i < count; i++) { const s = u32(); bodies.push(s); pos += s; }
    }
  }
  pos = end;
}

console.log('sections:');
for (const [name, size] of sections) console.log(`  ${String(size).padStart(10)}  ${name}`);
const byPkg = new Map();
const fns = [];
bodies.forEach((size, i) => {
  const name = names.get(i + imported) ?? `func${i + imported}`;
  fns.push([size, name]);
  // Go writes a/b.c as a_b.c; the package is the name up to the first '.'
  // once a leading host name (github.com_, golang.org_) is set aside.
  const host = /^(github\.com|golang\.org|gopkg\.in)_/.exec(name)?.[0] ?? '';
  const dot = name.indexOf('.', host.length);
  const pkg = dot > 0 ? name.slice(0, dot) : name;
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + size);
});
console.log('\ncode by package:');
for (const [pkg, size] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${String(size).padStart(10)}  ${pkg}`);
console.log(`\nlargest ${topN} functions:`);
for (const [size, name] of fns.sort((a, b) => b[0] - a[0]).slice(0, topN)) console.log(`  ${String(size).padStart(10)}  ${name}`);
