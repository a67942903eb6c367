import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** The runtime script built by scripts/build.mjs; it sits beside this module in dist/. */
export const RUNTIME_SCRIPT: string = readFileSync(new URL("./runtime.js", import.meta.url), "utf8");
/** Run once while the snapshot is made, to compile the request path into it (src/runtime/warmup.ts). */
export const WARMUP_SCRIPT: string = readFileSync(new URL("./warmup.js", import.meta.url), "utf8");
/** The rarely used families the runtime loads on first use (src/runtime/lazy.ts), by name. */
export const LAZY_SCRIPTS: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(
    Object.create(null),
    Object.fromEntries(
      ["tr46", "multi-byte-encodings", "fflate"].map((name) => [
        name,
        readFileSync(new URL(`./lazy/${name}.js`, import.meta.url), "utf8"),
      ]),
    ),
  ),
);
/** Content hash of both: part of the snapshot cache key. */
export const RUNTIME_HASH: string = createHash("sha256")
  .update(RUNTIME_SCRIPT)
  .update(WARMUP_SCRIPT)
  .update(JSON.stringify(LAZY_SCRIPTS))
  .digest("hex")
  .slice(0, 16);
export const RUNTIME_FILENAME = "nano:runtime";
