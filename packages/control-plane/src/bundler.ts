/**
 * Bundles an app folder (or one file) into the script an isolate runs: esbuild resolves TypeScript and
 * npm imports into one CommonJS bundle, wrapped in a call to `__nano_define` (only scripts can go
 * through V8's code cache and snapshots, not ES modules — DESIGN.md §6).
 */
import { existsSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { DEFINE_GLOBAL, NanoError } from "@nano/worker";
import { build, type Message } from "esbuild";

import { APP_NAME, type Manifest, readManifest } from "./manifest.js";

export const MAX_BUNDLE_BYTES = 10 * 1024 * 1024;

const ENTRY_CANDIDATES = [
  "src/index.ts",
  "src/index.js",
  "src/index.mjs",
  "index.ts",
  "index.js",
  "index.mjs",
  "src/worker.ts",
  "src/worker.js",
  "worker.ts",
  "worker.js",
];

export interface Bundle {
  name: string;
  code: string;
  manifest: Manifest;
  /** The entry file, relative to the app folder. */
  entry: string;
}

function formatMessage(m: Message, cwd: string): string {
  const loc = m.location
    ? `${relative(cwd, resolve(cwd, m.location.file))}:${m.location.line}:${m.location.column + 1}: `
    : "";
  return `${loc}${m.text}`;
}

function defaultName(dir: string): string {
  const n = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return APP_NAME.test(n) ? n : "app";
}

/** Finds the entry: the manifest's `main`, else the first conventional file that exists. */
function findEntry(dir: string, manifest: Manifest): string {
  if (manifest.main) {
    const p = resolve(dir, manifest.main);
    if (!existsSync(p)) throw new NanoError("NANO_ERR_MANIFEST", `nano.json: "main" file not found: ${manifest.main}`);
    return p;
  }
  for (const c of ENTRY_CANDIDATES) {
    const p = join(dir, c);
    if (existsSync(p)) return p;
  }
  throw new NanoError(
    "NANO_ERR_BUNDLE",
    `no entry file in ${dir} (looked for ${ENTRY_CANDIDATES.slice(0, 4).join(", ")}, …; or set "main" in nano.json)`,
  );
}

export async function bundleApp(path: string, opts: { name?: string } = {}): Promise<Bundle> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new NanoError("NANO_ERR_BUNDLE", `no such file or folder: ${path}`);
  const isFile = statSync(abs).isFile();
  const dir = isFile ? dirname(abs) : abs;
  const manifest = isFile ? {} : await readManifest(dir);
  const entry = isFile ? abs : findEntry(dir, manifest);
  const name = opts.name ?? manifest.name ?? defaultName(isFile ? basename(abs).replace(/\.[^.]+$/, "") : dir);
  if (!APP_NAME.test(name)) throw new NanoError("NANO_ERR_MANIFEST", `invalid app name "${name}"`);

  let code: string;
  try {
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: dir,
      bundle: true,
      format: "cjs",
      // Workers-style resolution: packages' worker/browser builds, never Node's.
      platform: "browser",
      conditions: ["workerd", "worker", "browser"],
      target: "es2023",
      write: false,
      logLevel: "silent",
      legalComments: "none",
      sourcemap: false,
    });
    code = result.outputFiles[0]?.text ?? "";
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors;
    const text = errors?.length ? errors.map((m) => formatMessage(m, dir)).join("\n") : String(err);
    throw new NanoError("NANO_ERR_BUNDLE", text);
  }
  const wrapped = `${DEFINE_GLOBAL}(function (module, exports) {\n${code}\n});\n`;
  if (Buffer.byteLength(wrapped) > MAX_BUNDLE_BYTES) {
    throw new NanoError(
      "NANO_ERR_BUNDLE",
      `bundle is ${(Buffer.byteLength(wrapped) / 1048576).toFixed(1)} MiB, more than the ${MAX_BUNDLE_BYTES / 1048576} MiB limit`,
    );
  }
  return { name, code: wrapped, manifest, entry: relative(dir, entry) || basename(entry) };
}
