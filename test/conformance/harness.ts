/**
 * Runs a conformance file (plain JS written from a spec) inside a real NANO isolate — the runtime
 * snapshot with its host bridges — and returns per-test results. Expected failures live in
 * expectations.json, each with the reason; a test listed there that passes is reported too, so the
 * list cannot go stale.
 */
import { readFileSync } from "node:fs";
import { loadRuntimeSnapshot, RuntimeIsolate, snapshotCopy } from "@nano/worker/isolate";

export interface TestResult {
  name: string;
  ok: boolean;
  message?: string;
}

const here = new URL(".", import.meta.url);
const HARNESS = readFileSync(new URL("testharness.js", here), "utf8");
const snapshot = loadRuntimeSnapshot();

export async function runConformanceFile(file: string, timeoutMs = 60_000): Promise<TestResult[]> {
  const isolate = new RuntimeIsolate({ snapshot: snapshotCopy(snapshot), memoryMb: 256 });
  try {
    const setup = await isolate.evaluate(HARNESS, timeoutMs);
    if (!setup.ok) throw new Error(`harness failed: ${setup.text}`);
    const source = readFileSync(new URL(file, here), "utf8");
    const loaded = await isolate.evaluate(source, timeoutMs);
    if (!loaded.ok) throw new Error(`${file} failed to load: ${loaded.text}`);
    const run = await isolate.evaluate("__conformance_run()", timeoutMs);
    if (!run.ok) throw new Error(`${file} failed to run: ${run.text}`);
    return JSON.parse(run.text) as TestResult[];
  } finally {
    isolate.dispose();
  }
}

export interface Expectations {
  [file: string]: { [testName: string]: string };
}

export function loadExpectations(): Expectations {
  return JSON.parse(readFileSync(new URL("expectations.json", here), "utf8")) as Expectations;
}

/** Splits results into unexpected failures and unexpected passes against the expectation file. */
export function compare(file: string, results: TestResult[], expectations = loadExpectations()) {
  const expected = expectations[file] ?? {};
  const unexpectedFailures = results.filter((r) => !r.ok && !(r.name in expected));
  const unexpectedPasses = results.filter((r) => r.ok && r.name in expected).map((r) => r.name);
  return { unexpectedFailures, unexpectedPasses, passed: results.filter((r) => r.ok).length, total: results.length };
}
