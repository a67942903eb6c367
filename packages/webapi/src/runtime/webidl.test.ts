/** The shared WebIDL conversions, run directly under Node (they use no Node APIs). */
import { describe, expect, it } from "vitest";
import { toByteString, toInteger, toRecord, toSequence, toUnsignedShort, toUSVString } from "./webidl.js";

describe("WebIDL integer conversions", () => {
  it("wraps modulo 2^bits without an extended attribute", () => {
    expect(toUnsignedShort(65536 + 7, "x")).toBe(7);
    expect(toUnsignedShort(-1, "x")).toBe(65535);
    expect(toInteger(2 ** 31, 32, true, "x")).toBe(-(2 ** 31));
    expect(toUnsignedShort(NaN, "x")).toBe(0);
    expect(toUnsignedShort(Infinity, "x")).toBe(0);
    expect(Object.is(toUnsignedShort(-0.5, "x"), 0)).toBe(true);
  });

  it("[EnforceRange] refuses non-finite and out-of-range values with a TypeError", () => {
    const enforce = { enforceRange: true };
    expect(toInteger("12.9", 16, false, "x", enforce)).toBe(12);
    expect(() => toInteger(NaN, 16, false, "x", enforce)).toThrow(TypeError);
    expect(() => toInteger(65536, 16, false, "x", enforce)).toThrow(TypeError);
    expect(() => toInteger(-1, 64, false, "x", enforce)).toThrow(TypeError);
    expect(toInteger(2 ** 53 - 1, 64, false, "x", enforce)).toBe(2 ** 53 - 1);
    expect(() => toInteger(2 ** 53, 64, false, "x", enforce)).toThrow(TypeError);
  });

  it("[Clamp] clamps and rounds half to even", () => {
    const clamp = { clamp: true };
    expect(toInteger(300, 8, false, "x", clamp)).toBe(255);
    expect(toInteger(2.5, 8, false, "x", clamp)).toBe(2);
    expect(toInteger(3.5, 8, false, "x", clamp)).toBe(4);
    expect(toInteger(NaN, 8, false, "x", clamp)).toBe(0);
    expect(toInteger(-Infinity, 64, true, "x", clamp)).toBe(-(2 ** 53) + 1);
  });

  it("ToNumber throws for symbols and BigInts", () => {
    expect(() => toUnsignedShort(Symbol(), "x")).toThrow(TypeError);
    expect(() => toUnsignedShort(1n, "x")).toThrow(TypeError);
  });
});

describe("WebIDL string conversions", () => {
  it("ByteString refuses code units above U+00FF; USVString replaces lone surrogates", () => {
    expect(toByteString("caf\u00e9", "v")).toBe("caf\u00e9");
    expect(() => toByteString("\u0100", "v")).toThrow(TypeError);
    expect(() => toByteString(Symbol(), "v")).toThrow(TypeError);
    expect(toUSVString("a\ud800b")).toBe("a\ufffdb");
  });
});

describe("WebIDL sequences and records", () => {
  it("iterates any iterable and refuses non-objects", () => {
    expect(toSequence(new Set([1, 2]), "s", String)).toEqual(["1", "2"]);
    expect(() => toSequence("ab", "s", String)).toThrow(TypeError);
    expect(() => toSequence({}, "s", String)).toThrow(TypeError);
  });

  it("reads own enumerable keys in order; an enumerable symbol key fails its string conversion", () => {
    const o = Object.defineProperty({ b: 1, a: 2 }, "hidden", { value: 3, enumerable: false });
    expect(toRecord(o, "r", String, Number)).toEqual([
      ["b", 1],
      ["a", 2],
    ]);
    expect(() => toRecord({ [Symbol()]: 1 }, "r", (k) => toByteString(k, "k"), Number)).toThrow(TypeError);
  });
});
