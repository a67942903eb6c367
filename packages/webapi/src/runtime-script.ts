import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** The runtime script built by scripts/build.mjs; it sits beside this module in dist/. */
export const RUNTIME_SCRIPT: string = readFileSync(new URL("./runtime.js", import.meta.url), "utf8");
/** Content hash: part of the snapshot cache key. */
export const RUNTIME_HASH: string = createHash("sha256").update(RUNTIME_SCRIPT).digest("hex").slice(0, 16);
export const RUNTIME_FILENAME = "nano:runtime";
