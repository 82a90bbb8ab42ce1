// Loads LiteRT.js under Node.js. The package is written for browsers and web workers: it loads its Emscripten
// module by calling `importScripts(url)` on `self` and then reads the factory the script left on `self`
// (`self.ModuleFactory`). Node has neither, so this shim provides `self` as the global object and an
// `importScripts` that evaluates the wasm's JavaScript file from node_modules in this realm. The Emscripten file
// detects Node itself and then reads its .wasm next to it through `require('node:fs')` and `__dirname`, which an
// ES module does not have, so both are handed to the script as arguments of a wrapper function.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const wasmDir = join(here, 'node_modules', '@litertjs', 'core', 'wasm');

function importScripts(file) {
  const source = readFileSync(file, 'utf8');
  const wrapper = vm.runInThisContext(
    `(function (require, __dirname, __filename) {\n${source}\nreturn ModuleFactory;\n})`, { filename: file });
  globalThis.ModuleFactory = wrapper(require, dirname(file), file);
}

/** LiteRT.js with its wasm loaded: resolves to { litert, wasmFile } (the module namespace and the .js it loaded). */
export async function loadLiteRtForNode() {
  globalThis.self ??= globalThis;
  let loaded;
  globalThis.importScripts = (file) => {
    loaded = file;
    importScripts(file);
  };
  const litert = await import('@litertjs/core');
  // Loading also tries to open a WebGPU device for the GPU accelerator, which Node has not; only the CPU is used here,
  // so that one warning is dropped and every other one passes through.
  const warn = console.warn;
  console.warn = (...args) => {
    if (!String(args[0]).startsWith('Failed to create default WebGPU device')) warn(...args);
  };
  try {
    // A directory lets the package choose the build (relaxed SIMD or the compatible one) the engine supports.
    await litert.loadLiteRt(wasmDir + '/');
  } finally {
    console.warn = warn;
  }
  return { litert, wasmFile: loaded ? loaded.substring(loaded.lastIndexOf('/') + 1) : undefined };
}
