/**
 * Snapshot correctness: on Node 20, createSnapshot corrupted one-character strings (DESIGN.md §5).
 * These tests would catch that regression on any toolchain.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ivm from "isolated-vm";
import { describe, expect, it } from "vitest";
import { RuntimeIsolate } from "./runtime-isolate.js";
import { loadRuntimeSnapshot, snapshotCopy, snapshotKey } from "./snapshot.js";

const STRINGS_SCRIPT = `
  globalThis.o = 1;
  globalThis.strs = [];
  for (let n = 0; n <= 70; n++) strs.push(Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((n + i) % 26))).join(""));
  globalThis.pair = ["c", "/"];
  globalThis.keys = { a: 1, b: 2, z: 26, _: 0, $: "$" };
  globalThis.chars = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
`;

describe("snapshot restore", () => {
  it("keeps strings of every length, one-letter globals and one-letter keys", () => {
    const blob = ivm.Isolate.createSnapshot([{ code: STRINGS_SCRIPT }]);
    const isolate = new ivm.Isolate({ snapshot: blob, memoryLimit: 32 });
    const context = isolate.createContextSync();
    const got = context.evalSync(
      "JSON.stringify({ o: globalThis.o, strs, pair, keys, chars, hasO: Object.keys(globalThis).includes('o') })",
    ) as string;
    const expected = new Function(
      `${STRINGS_SCRIPT}; return JSON.stringify({ o, strs, pair, keys, chars, hasO: true })`,
    )();
    expect(JSON.parse(got)).toEqual(JSON.parse(expected));
    isolate.dispose();
  });

  it("restores the runtime: one-letter strings through the Web APIs", async () => {
    const iso = new RuntimeIsolate({ snapshot: snapshotCopy(loadRuntimeSnapshot()), memoryMb: 64 });
    const r = await iso.evaluate(
      "JSON.stringify([new URL('http://a/b/c').pathname.split(''), [...new Headers({ x: 'y' })], new TextDecoder().decode(new TextEncoder().encode('o'))])",
    );
    expect(JSON.parse(r.text)).toEqual([["/", "b", "/", "c"], [["x", "y"]], "o"]);
    iso.dispose();
  });
});

describe("snapshot cache", () => {
  it("writes the blob once under a key naming V8, isolated-vm and the runtime, then reads it back", () => {
    const dir = mkdtempSync(join(tmpdir(), "nano-snap-"));
    const first = loadRuntimeSnapshot(dir);
    expect(readdirSync(dir)).toEqual([`runtime-${snapshotKey()}.bin`]);
    const second = loadRuntimeSnapshot(dir);
    expect(second.byteLength).toBe(first.byteLength);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });
});
