// Writes FILE.br beside FILE at brotli's best quality, with Node's zlib:
// Debian images have no brotli command by default, and Node is needed anyway.
// Usage: node scripts/brotli.mjs FILE
import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/brotli.mjs FILE');
  process.exit(2);
}
const raw = readFileSync(file);
writeFileSync(`${file}.br`, brotliCompressSync(raw, {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
}));
