// Keeps the module's instance in window.wasmInstance, so a benchmark can
// read the size of its memory (the package does not expose it). Import it
// before the package instantiates its module.
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async (...args) => {
  const r = await instantiate.apply(WebAssembly, args);
  window.wasmInstance = r.instance ?? r;
  return r;
};

/** Bytes of the module's linear memory (it only grows: the peak), or null before it is instantiated. */
export const wasmMemory = () => window.wasmInstance?.exports.mem?.buffer.byteLength ?? null;
