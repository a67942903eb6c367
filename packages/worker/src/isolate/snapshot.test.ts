/**
 * Snapshot correctness: on Node 20, createSnapshot corrupted one-character strings (DESIGN.md §5).
 * These tests would catch that regression on any toolchain. And the disk cache: a corrupt file is
 * made again and rewritten, never handed to V8 (which would abort the process on every start).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ivm from "isolated-vm";
import { describe, expect, it } from "vitest";
import { RuntimeIsolate } from "./runtime-isolate.js";
import {
  decodeSnapshotFile,
  encodeSnapshotFile,
  loadRuntimeSnapshot,
  snapshotCopy,
  snapshotFile,
  snapshotKey,
} from "./snapshot.js";

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

describe("a corrupt snapshot cache file", () => {
  /** A cache directory holding a good file, and that file's bytes. */
  const cached = () => {
    const dir = mkdtempSync(join(tmpdir(), "nano-snap-"));
    loadRuntimeSnapshot(dir);
    const good = readFileSync(snapshotFile(dir));
    return { dir, good };
  };
  const header = (good: Buffer) => JSON.parse(good.toString("utf8", 12, 12 + good.readUInt32LE(8)));
  const withHeader = (good: Buffer, over: Record<string, unknown>) => {
    const blob = decodeSnapshotFile(good) as Uint8Array;
    const json = Buffer.from(JSON.stringify({ ...header(good), ...over }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(json.byteLength);
    return Buffer.concat([good.subarray(0, 8), length, json, blob]);
  };
  const flip = (good: Buffer, ...at: number[]) => {
    const bad = Buffer.from(good);
    for (const i of at) bad[i] = (bad[i] as number) ^ 0xff;
    return bad;
  };

  it.each<[string, (good: Buffer) => Buffer]>([
    // A garbage blob given to V8: "Version mismatch between V8 binary and snapshot", and an abort.
    ["same-size garbage", (good) => randomBytes(good.byteLength)],
    [
      "a raw blob without a header (the format before this one)",
      (good) => Buffer.from(decodeSnapshotFile(good) as Uint8Array),
    ],
    ["flipped bytes in the middle of the blob", (good) => flip(good, good.byteLength >> 1, (good.byteLength >> 1) + 7)],
    ["a flipped last byte", (good) => flip(good, good.byteLength - 1)],
    ["a flipped byte in the header", (good) => flip(good, 20)],
    ["a truncated file", (good) => good.subarray(0, good.byteLength >> 1)],
    ["a file cut inside its header", (good) => good.subarray(0, 30)],
    ["an empty file", () => Buffer.alloc(0)],
    ["a header naming another V8", (good) => withHeader(good, { v8: "1.0.0.0" })],
    ["a header naming another isolated-vm", (good) => withHeader(good, { ivm: "0.0.1" })],
    ["a header naming another runtime", (good) => withHeader(good, { runtime: "0".repeat(64) })],
    ["a header with the wrong size", (good) => withHeader(good, { size: 12 })],
    [
      "a header that is JSON null",
      (good) => Buffer.concat([good.subarray(0, 8), Buffer.from([4, 0, 0, 0]), Buffer.from("null")]),
    ],
  ])("%s: is made again, rewritten, and boots an isolate", async (_label, corrupt) => {
    const { dir, good } = cached();
    const file = snapshotFile(dir);
    const bad = corrupt(good);
    writeFileSync(file, bad);
    const before = statSync(file).mtimeMs;

    const blob = loadRuntimeSnapshot(dir);

    const iso = new RuntimeIsolate({ snapshot: snapshotCopy(blob), memoryMb: 64 });
    try {
      expect((await iso.evaluate("new URL('http://a/b').pathname + typeof Response")).text).toBe("/bfunction");
    } finally {
      iso.dispose();
    }
    // Rewritten: a good file again, holding the blob just returned, and nothing else in the directory.
    const now = readFileSync(file);
    expect(now.equals(bad)).toBe(false);
    expect(statSync(file).mtimeMs).toBeGreaterThanOrEqual(before);
    expect(Buffer.from(decodeSnapshotFile(now) as Uint8Array).equals(Buffer.from(blob))).toBe(true);
    expect(readdirSync(dir)).toEqual([`runtime-${snapshotKey()}.bin`]);
  });

  it("a good file is read as it is, not made again", () => {
    const { dir, good } = cached();
    const blob = loadRuntimeSnapshot(dir);
    expect(readFileSync(snapshotFile(dir)).equals(good)).toBe(true);
    expect(Buffer.from(encodeSnapshotFile(new Uint8Array(blob))).equals(good)).toBe(true);
    expect(header(good)).toMatchObject({ v8: process.versions.v8, size: blob.byteLength });
  });
});
