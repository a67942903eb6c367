/** @nano/webapi — the in-isolate runtime script (built from src/runtime) and its bridge contract. */
export * from "./bridge-contract.js";
export { LAZY_SCRIPTS, RUNTIME_FILENAME, RUNTIME_HASH, RUNTIME_SCRIPT, WARMUP_SCRIPT } from "./runtime-script.js";
