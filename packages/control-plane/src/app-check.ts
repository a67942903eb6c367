/**
 * Deploy-time check: loads a bundle in a throwaway isolate with the app's memory limit and a startup
 * time limit. Catches syntax errors, top-level throws and a missing fetch handler before anything
 * serves, and produces the V8 code cache the serving isolates start from.
 */
import { type AppLimits, DEFAULT_LIMITS } from "@nano/worker";
import { RuntimeIsolate, snapshotCopy } from "@nano/worker/isolate";

export interface CheckedApp {
  kind: "module" | "service-worker";
  cachedData: ArrayBuffer | null;
}

/** Checks in the calling process: `nano serve` (one developer's app) and the checker process. */
export function checkApp(
  snapshot: SharedArrayBuffer,
  code: string,
  opts: { name: string; vars?: Record<string, string>; limits?: Partial<AppLimits>; kv?: Record<string, string> },
): CheckedApp {
  const isolate = new RuntimeIsolate({
    snapshot: snapshotCopy(snapshot),
    memoryMb: opts.limits?.memoryMb ?? DEFAULT_LIMITS.memoryMb,
  });
  try {
    return isolate.loadApp(code, { filename: `app:${opts.name}`, vars: opts.vars ?? {}, kv: opts.kv ?? {} });
  } finally {
    isolate.dispose();
  }
}
