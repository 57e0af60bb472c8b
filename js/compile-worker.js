// Compiles the Go module off the page's main thread.
//
// Finishing a 16 MB compilation (or loading it from the browser's code
// cache) takes V8 60-70 ms of main-thread time; here it takes the worker's.
// The page gets the compiled WebAssembly.Module back (structured cloning
// shares it, no copy) and only instantiates it.

self.onmessage = async ({ data: { url } }) => {
  try {
    self.postMessage({ module: await compile(url) });
  } catch (e) {
    self.postMessage({ error: `${e?.name ?? 'Error'}: ${e?.message ?? e}` });
  }
};

async function compile(url) {
  if (WebAssembly.compileStreaming) {
    try {
      // Streaming compiles while downloading and lets the browser cache
      // the compiled code; it needs the application/wasm content type.
      return await WebAssembly.compileStreaming(fetch(url));
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
    }
  }
  const r = await fetch(url);
  if (!r.ok) throw new Error(`fetch ${url}: ${r.status} ${r.statusText}`);
  return WebAssembly.compile(await r.arrayBuffer());
}
