/**
 * Rarely used families, loaded on first use instead of living in every isolate. Their code (IDNA
 * mapping tables, legacy multi-byte encoding tables) is built into separate CommonJS scripts
 * (scripts/build.mjs, LAZY_SCRIPTS); the host hands a script's source over through the `lazySource`
 * bridge and it is compiled here, inside the request that needs it, so its CPU counts like the app's
 * own. The snapshot carries only these stubs: every restored isolate is smaller by the families' source
 * and the tables they build at load.
 */
import { FunctionCtor, ReflectApply, ReflectConstruct, SafeMap, TypeError as TypeErrorCtor } from "./primordials.js";

/** The names of the lazy scripts (the host's table must have exactly these). */
export type LazyName = "tr46" | "multi-byte-encodings";

let source: ((name: string) => unknown) | null = null;
const loaded = new SafeMap<string, unknown>();

/** Binds the host's `lazySource` bridge function (index.ts init, after restore). */
export function setLazySource(fn: (name: string) => unknown): void {
  source = fn;
}

/** The `module.exports` of lazy script `name`, compiled and run once per isolate. */
export function loadLazy(name: LazyName): unknown {
  if (loaded.has(name)) return loaded.get(name);
  const text = source === null ? null : source(name);
  if (typeof text !== "string") throw new TypeErrorCtor(`the runtime's ${name} tables are unavailable`);
  const run = ReflectConstruct(FunctionCtor, ["module", "exports", text]) as (m: unknown, e: unknown) => void;
  const module = { __proto__: null, exports: { __proto__: null } } as unknown as { exports: unknown };
  ReflectApply(run, undefined, [module, module.exports]);
  loaded.set(name, module.exports);
  return module.exports;
}
