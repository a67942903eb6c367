/**
 * Rarely used families, loaded on first use instead of living in every isolate. Their code (IDNA
 * mapping tables, legacy multi-byte encoding tables, the DEFLATE codec and its tables) is built into
 * separate CommonJS scripts (scripts/build.mjs, LAZY_SCRIPTS); the host hands a script's source over
 * through the `lazySource` bridge and it is compiled here, inside the request that needs it, so its CPU
 * counts like the app's own. The snapshot carries only these stubs: every restored isolate is smaller by
 * the families' source and the tables they build at load.
 *
 * A family's code runs after the app's, which may have replaced globals: it sees the intrinsics of the
 * usual names as they were when the runtime loaded (primordials.ts lazyScopeNames), as parameters that
 * shadow the globals.
 */
import {
  FunctionCtor,
  lazyScopeNames,
  lazyScopeValues,
  ReflectApply,
  ReflectConstruct,
  SafeMap,
  TypeError as TypeErrorCtor,
} from "./primordials.js";

/** The names of the lazy scripts (the host's table must have exactly these). */
export type LazyName = "tr46" | "multi-byte-encodings" | "fflate";

let source: ((name: string) => unknown) | null = null;
const loaded = new SafeMap<string, unknown>();

/** Binds the host's `lazySource` bridge function (index.ts init, after restore). */
export function setLazySource(fn: (name: string) => unknown): void {
  source = fn;
}

/** `head` then `tail` as an array-like with no prototype: building it calls nothing the app can replace. */
function argList(head: readonly unknown[], tail: readonly unknown[]): ArrayLike<unknown> {
  const out = { __proto__: null, length: head.length + tail.length } as unknown as Record<number, unknown>;
  for (let i = 0; i < head.length; i++) out[i] = head[i];
  for (let i = 0; i < tail.length; i++) out[head.length + i] = tail[i];
  return out as unknown as ArrayLike<unknown>;
}

/** The `module.exports` of lazy script `name`, compiled and run once per isolate. */
export function loadLazy(name: LazyName): unknown {
  if (loaded.has(name)) return loaded.get(name);
  const text = source === null ? null : source(name);
  if (typeof text !== "string") throw new TypeErrorCtor(`the runtime's ${name} code is unavailable`);
  const params = argList(["module", "exports"], argList(lazyScopeNames, [text]) as unknown[]);
  const run = ReflectConstruct(FunctionCtor, params) as (...args: unknown[]) => void;
  const module = { __proto__: null, exports: { __proto__: null } } as unknown as { exports: unknown };
  ReflectApply(run, undefined, argList([module, module.exports], lazyScopeValues));
  loaded.set(name, module.exports);
  return module.exports;
}
