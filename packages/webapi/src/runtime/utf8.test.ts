/** The runtime's own UTF-8 codec against the Encoding Standard's (Node's TextEncoder/TextDecoder). */
import { describe, expect, it } from "vitest";
import { utf8Decode, utf8Encode } from "./utf8.js";

/** A small deterministic PRNG, so a failure reproduces. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("utf8", () => {
  it("decodes like TextDecoder: replacement of ill-formed sequences, BOM removed", () => {
    const decoder = new TextDecoder();
    const cases = [
      [],
      [0xef, 0xbb, 0xbf],
      [0xef, 0xbb, 0xbf, 0x41],
      [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf],
      [0xc0, 0x80],
      [0xe0, 0x80, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf0, 0x9f, 0x98],
      [0xf0, 0x9f, 0x98, 0x80],
      [0xe2, 0x82],
      [0x61, 0xff, 0x62],
    ];
    for (const c of cases) expect(utf8Decode(new Uint8Array(c))).toBe(decoder.decode(new Uint8Array(c)));
    const random = prng(1);
    for (let n = 0; n < 2000; n++) {
      const bytes = new Uint8Array(Math.floor(random() * 40));
      // Mostly high bytes, so every lead/continuation combination comes up.
      for (let i = 0; i < bytes.length; i++) bytes[i] = random() < 0.3 ? random() * 0x80 : 0x80 + random() * 0x80;
      expect(utf8Decode(bytes)).toBe(decoder.decode(bytes));
    }
    const big = new TextEncoder().encode("ascii ".repeat(5000) + "é€😀".repeat(5000));
    expect(utf8Decode(big)).toBe(decoder.decode(big));
    const view = new Uint8Array(big.buffer, 3, 100);
    expect(utf8Decode(view)).toBe(decoder.decode(view));
  });

  it("encodes like TextEncoder: lone surrogates become U+FFFD", () => {
    const encoder = new TextEncoder();
    const random = prng(2);
    const pool = ["a", "é", "€", "😀", "\ud800", "\udc00", "\ud83d", "\ude00", "\0", "\uffff"];
    for (let n = 0; n < 2000; n++) {
      let s = "";
      const len = Math.floor(random() * 20);
      for (let i = 0; i < len; i++) s += pool[Math.floor(random() * pool.length)];
      expect(Array.from(utf8Encode(s))).toEqual(Array.from(encoder.encode(s)));
    }
    expect(utf8Encode("x".repeat(100000))).toEqual(encoder.encode("x".repeat(100000)));
  });
});
