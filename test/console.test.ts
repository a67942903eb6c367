/** The WHATWG Console namespace as `nano eval` prints it (the same console an app logs with). */
import { describe, expect, it } from "vitest";
import { runNano } from "./helpers.js";

describe("console", () => {
  it("has every method of the Console Standard, and is a namespace object", async () => {
    const methods = [
      "assert",
      "clear",
      "count",
      "countReset",
      "debug",
      "dir",
      "dirxml",
      "error",
      "group",
      "groupCollapsed",
      "groupEnd",
      "info",
      "log",
      "table",
      "time",
      "timeEnd",
      "timeLog",
      "trace",
      "warn",
    ];
    const r = await runNano([
      "eval",
      `JSON.stringify([${JSON.stringify(methods)}.filter((m) => typeof console[m] !== "function"), Object.prototype.toString.call(console)])`,
    ]);
    expect(r.stdout).toBe(`[[],"[object console]"]\n`);
  });

  it("indents groups (collapsed ones too) and clear() empties the group stack", async () => {
    const code = `console.group("outer"); console.groupCollapsed("inner"); console.log("deep");
      console.groupEnd(); console.log("middle"); console.group(); console.clear(); console.log("flat"); 0`;
    const r = await runNano(["eval", code]);
    expect(r.stdout).toBe("outer\n  inner\n    deep\n  middle\nflat\n0\n");
  });

  it("assert joins its message to a string first argument; count, countReset and timers warn as the spec says", async () => {
    const code = `console.assert(false, "x is %d", 5); console.assert(false); console.assert(false, { a: 1 });
      console.assert(true, "silent"); console.count(); console.count("default"); console.count(1); console.count("1");
      console.countReset("nope"); console.time("t"); console.time("t"); console.timeEnd("u"); console.timeLog("u"); 0`;
    const r = await runNano(["eval", code]);
    expect(r.stderr).toBe(
      [
        "Assertion failed: x is 5",
        "Assertion failed",
        "Assertion failed: { a: 1 }",
        "Count for 'nope' does not exist",
        "Timer 't' already exists",
        "Timer 'u' does not exist",
        "Timer 'u' does not exist",
        "",
      ].join("\n"),
    );
    expect(r.stdout).toBe("default: 1\ndefault: 2\n1: 1\n1: 2\n0\n");
  });
});
