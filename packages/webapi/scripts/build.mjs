// Bundles src/runtime (the in-isolate tree) into one IIFE: dist/runtime.js. The host reads it as a
// string (src/index.ts) with a sourceURL so stack traces name nano:runtime. Prints size for tracking.

import { realpathSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

// Rarely used families that stay out of the snapshot (src/runtime/lazy.ts): the runtime script gets a
// stub in their place, and each is built on its own into a CommonJS script the host hands over on first use.
/** `specifier` resolved as `pkg` (a dependency of this package) would resolve it. */
function fromPackage(pkg, specifier) {
  return createRequire(realpathSync(`${root}/node_modules/${pkg}/package.json`)).resolve(specifier);
}
const LAZY = [
  { name: "tr46", filter: /^tr46$/, stub: "lazy-tr46.ts", entry: fromPackage("whatwg-url", "tr46") },
  {
    name: "multi-byte-encodings",
    filter: /multi-byte\.encodings\.cjs$/,
    stub: "lazy-multi-byte-encodings.ts",
    entry: `${realpathSync(`${root}/node_modules/@exodus/bytes`)}/fallback/multi-byte.encodings.json`,
  },
  // compression.ts loads it itself (lazy.ts); nothing to redirect.
  { name: "fflate", entry: "fflate" },
];
const lazyStubs = {
  name: "lazy-stubs",
  setup(b) {
    for (const lazy of LAZY) {
      if (lazy.filter) b.onResolve({ filter: lazy.filter }, () => ({ path: `${root}/src/runtime/${lazy.stub}` }));
    }
  },
};
const lazyBytes = {};
for (const lazy of LAZY) {
  const out = await build({
    stdin: { contents: `module.exports = require(${JSON.stringify(lazy.entry)});`, resolveDir: root },
    bundle: true,
    format: "cjs",
    platform: "neutral",
    conditions: [],
    mainFields: ["module", "main"],
    target: "es2023",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "warning",
  });
  await mkdir(`${root}/dist/lazy`, { recursive: true });
  await writeFile(`${root}/dist/lazy/${lazy.name}.js`, out.outputFiles[0].text);
  lazyBytes[lazy.name] = out.outputFiles[0].contents.byteLength;
}

const result = await build({
  entryPoints: [`${root}/src/runtime/index.ts`],
  bundle: true,
  format: "iife",
  platform: "neutral",
  // No "node"/"browser" conditions: the libraries' pure-JS fallbacks, not Node or browser natives.
  conditions: [],
  mainFields: ["module", "main"],
  target: "es2023",
  // Minified: V8 keeps a script's source in the heap, so every isolate restored from the snapshot
  // carries it (measured: 1227 -> 675 KiB of source, a 4.33 -> 2.59 MiB snapshot, isolate start
  // 24 -> 20 ms). Names are kept (below), and runtime frames never show in an app's stack traces.
  minify: true,
  // Keep class and function names (esbuild renames colliding ones, e.g. AbortController2): they are
  // what apps see in .name, stack traces and console output.
  keepNames: true,
  legalComments: "none",
  // whatwg-url reads TextEncoder/TextDecoder as globals at load time, before ours are installed.
  // The SharedArrayBuffer shim must run before any library loads, so it is injected first.
  inject: [`${root}/src/runtime/snapshot-shims.ts`, `${root}/src/runtime/encoding.ts`],
  plugins: [lazyStubs],
  write: false,
  logLevel: "warning",
});
const code = `${result.outputFiles[0].text}\n//# sourceURL=nano:runtime\n`;
await mkdir(`${root}/dist`, { recursive: true });
await writeFile(`${root}/dist/runtime.js`, code);
const lazyKiB = Object.entries(lazyBytes).map(([n, b]) => `${n} ${(b / 1024).toFixed(1)} KiB`);
console.log(`webapi: runtime script ${(Buffer.byteLength(code) / 1024).toFixed(1)} KiB; lazy: ${lazyKiB.join(", ")}`);

// The snapshot's warm-up script: globals only, bundled alone (a few KiB).
const warmup = await build({
  entryPoints: [`${root}/src/runtime/warmup.ts`],
  bundle: true,
  format: "iife",
  platform: "neutral",
  target: "es2023",
  write: false,
  logLevel: "warning",
});
await writeFile(`${root}/dist/warmup.js`, `${warmup.outputFiles[0].text}\n//# sourceURL=nano:warmup\n`);
