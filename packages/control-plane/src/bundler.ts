/**
 * Bundles an app folder (or one file) into the script an isolate runs: esbuild resolves TypeScript and
 * npm imports into one IIFE, wrapped in a call to `__nano_define` (only scripts can go through V8's
 * code cache and snapshots, not ES modules — DESIGN.md §6). The wrapper keeps the entry's semantics:
 * an ES module runs strict, without `module`/`exports` and with `this` undefined at its top level; a
 * classic (service-worker) script runs as a script. The wrapper adds no name to the app's scope but,
 * when the app imports `cloudflare:workers`, one parameter named by a hash of the bundle.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { APP_FACTORY_ABI, DEFINE_GLOBAL, NanoError } from "@nano/worker";
import { build, type Message } from "esbuild";
import { BUILTINS_PLACEHOLDER, builtinModulesPlugin, explainNodeBuiltin } from "./builtin-modules.js";
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
  /** The app folder (where nano.json's paths, such as `assets`, are relative to). */
  dir: string;
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

/**
 * Finds the entry: the manifest's `main`, else the first conventional file that exists; none in an app
 * with assets is an assets-only app (null).
 */
function findEntry(dir: string, manifest: Manifest): string | null {
  if (manifest.main) {
    const p = resolve(dir, manifest.main);
    if (!existsSync(p)) throw new NanoError("NANO_ERR_MANIFEST", `nano.json: "main" file not found: ${manifest.main}`);
    return p;
  }
  for (const c of ENTRY_CANDIDATES) {
    const p = join(dir, c);
    if (existsSync(p)) return p;
  }
  if (manifest.assets) return null;
  throw new NanoError(
    "NANO_ERR_BUNDLE",
    `no entry file in ${dir} (looked for ${ENTRY_CANDIDATES.slice(0, 4).join(", ")}, …; or set "main" in nano.json)`,
  );
}

/** The script of an assets-only app, in a temporary file for esbuild. */
function assetsOnlyEntry(binding: string): { file: string; remove(): void } {
  const tmp = mkdtempSync(join(tmpdir(), "nano-assets-only-"));
  const file = join(tmp, "assets-only.js");
  writeFileSync(
    file,
    `export default { fetch(request, env) { return env[${JSON.stringify(binding)}].fetch(request); } };\n`,
  );
  return { file, remove: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** How the entry file is written: an ES module, a CommonJS module, or a classic script. */
export type EntryFormat = "esm" | "cjs" | "script";

/** esbuild's `globalName`, replaced by a `return` in the wrapper: it never reaches the app's scope. */
const EXPORTS_NAME = "__nano_exports";

interface Built {
  code: string;
  format?: string;
  /** How many modules the entry imports or requires. */
  imports: number;
}

/** `shape`: an IIFE returning the entry's exports, an IIFE, or (for a classic script) the entry alone, transformed. */
async function esbuild(entry: string, dir: string, shape: "exports" | "iife" | "script"): Promise<Built> {
  try {
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: dir,
      bundle: shape !== "script",
      ...(shape === "script" ? {} : { format: "iife" as const }),
      ...(shape === "exports" ? { globalName: EXPORTS_NAME } : {}),
      // Workers-style resolution: packages' worker/browser builds, never Node's.
      platform: "browser",
      conditions: ["workerd", "worker", "browser"],
      plugins: [builtinModulesPlugin()],
      target: "es2023",
      write: false,
      metafile: true,
      logLevel: "silent",
      legalComments: "none",
      sourcemap: false,
    });
    const output = Object.values(result.metafile.outputs)[0];
    const input = output?.entryPoint === undefined ? undefined : result.metafile.inputs[output.entryPoint];
    return {
      code: result.outputFiles[0]?.text ?? "",
      imports: input?.imports.length ?? 0,
      ...(input?.format ? { format: input.format } : {}),
    };
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors;
    const text = errors?.length ? errors.map((m) => formatMessage(explainNodeBuiltin(m), dir)).join("\n") : String(err);
    throw new NanoError("NANO_ERR_BUNDLE", text);
  }
}

/** An entry that sets CommonJS exports (esbuild also calls an entry CommonJS for a top-level `this`). */
const COMMONJS_EXPORTS = /\b(?:module\.exports|exports\.[\w$]+)\s*=[^=]/;

/**
 * Bundles the entry: an ES module (import/export syntax) or a CommonJS module returns its exports;
 * an entry that imports nothing and sets no CommonJS exports is a classic script, run as it is.
 */
async function buildApp(entry: string, dir: string): Promise<{ code: string; format: EntryFormat }> {
  const withExports = await esbuild(entry, dir, "exports");
  if (withExports.format === "esm") return { code: withExports.code, format: "esm" };
  const plain = await esbuild(entry, dir, "iife");
  if (plain.imports > 0 || COMMONJS_EXPORTS.test(readFileSync(entry, "utf8"))) {
    return { code: withExports.code, format: "cjs" };
  }
  return { code: (await esbuild(entry, dir, "script")).code, format: "script" };
}

/**
 * A module: `__nano_define(() => { return (() => { … })(); }, ABI)`, an arrow, so the app's top level
 * sees neither `arguments` nor a `this` of the wrapper's (esbuild makes a module's top-level `this`
 * `undefined`); its IIFE is returned (its exports) instead of stored in `globalName`. A classic script
 * runs after `__nano_define` was called (and so deleted), at the script's own top level: its `this` is
 * the global object, and its top-level declarations are globals, as in a browser or workerd.
 */
export function wrap(code: string, format: EntryFormat): string {
  if (format === "script") return `${DEFINE_GLOBAL}(() => undefined, ${APP_FACTORY_ABI});\n${code}`;
  const prefix = `var ${EXPORTS_NAME} = `;
  if (!code.startsWith(prefix)) throw new NanoError("NANO_ERR_INTERNAL", "unexpected bundle shape from esbuild");
  let body = `return ${code.slice(prefix.length)}`;
  // An ES module's exports object already holds a getter per export, made before the app's code ran;
  // esbuild's closing `__toCommonJS` copy would run after it, through built-ins the app may have replaced.
  if (format === "esm") body = body.replace(/return __toCommonJS\(([\w$]+)\);(\s*\}\)\(\);\s*)$/, "return $1;$2");
  let param = "";
  const placeholder = new RegExp(`(?<![\\w$])${BUILTINS_PLACEHOLDER}(?![\\w$])`, "g");
  if (placeholder.test(body)) {
    // Named by the bundle's own hash: no app can name it in its source.
    param = `__nano_${createHash("sha256").update(body).digest("hex").slice(0, 20)}`;
    body = body.replace(placeholder, param);
  }
  return `${DEFINE_GLOBAL}((${param}) => {\n${format === "esm" ? '"use strict";\n' : ""}${body}\n}, ${APP_FACTORY_ABI});\n`;
}

export async function bundleApp(path: string, opts: { name?: string } = {}): Promise<Bundle> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new NanoError("NANO_ERR_BUNDLE", `no such file or folder: ${path}`);
  const isFile = statSync(abs).isFile();
  const dir = isFile ? dirname(abs) : abs;
  const manifest = isFile ? {} : await readManifest(dir);
  const found = isFile ? abs : findEntry(dir, manifest);
  // An assets-only app (no script, as on Workers): every request the ingress does not answer goes to
  // the assets binding, so the not-found handling applies to all of them.
  const generated = found === null ? assetsOnlyEntry(manifest.assets?.binding ?? "ASSETS") : null;
  const entry = found ?? (generated?.file as string);
  const name = opts.name ?? manifest.name ?? defaultName(isFile ? basename(abs).replace(/\.[^.]+$/, "") : dir);
  if (!APP_NAME.test(name)) throw new NanoError("NANO_ERR_MANIFEST", `invalid app name "${name}"`);

  const built = await buildApp(entry, dir).finally(() => generated?.remove());
  const wrapped = wrap(built.code, built.format);
  if (Buffer.byteLength(wrapped) > MAX_BUNDLE_BYTES) {
    throw new NanoError(
      "NANO_ERR_BUNDLE",
      `bundle is ${(Buffer.byteLength(wrapped) / 1048576).toFixed(1)} MiB, more than the ${MAX_BUNDLE_BYTES / 1048576} MiB limit`,
    );
  }
  const entryName = generated ? "(assets only)" : relative(dir, entry) || basename(entry);
  return { name, code: wrapped, manifest, entry: entryName, dir };
}
