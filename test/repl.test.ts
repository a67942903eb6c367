/** `./nano repl` fed through a pipe, as a user's terminal session would go. */
import { describe, expect, it } from "vitest";
import { runNano } from "./helpers.js";

describe("nano repl", () => {
  it("evaluates lines in order in one isolate: globals persist, timers run, errors do not end it", async () => {
    const input = [
      "var a = 40",
      "a + 2",
      'new Promise((r) => setTimeout(() => r("timer " + a), 20))',
      'throw new Error("boom")',
      "function f() {",
      "  return a + 1 }",
      "f()",
      "console.log('from console')",
      "while (true) {}",
      "typeof a",
      "",
    ].join("\n");
    const r = await runNano(["repl", "--timeout", "300"], { input });
    expect(r.code).toBe(0);
    const out = r.stdout
      .replace(/nano> |\.\.\. /g, "")
      .trim()
      .split("\n");
    expect(out).toEqual([
      "undefined",
      "42",
      "timer 40",
      "Uncaught Error: boom",
      "    at eval (<anonymous>:1:7)",
      "undefined",
      "41",
      "from console",
      "undefined",
      "Uncaught the app exceeded its CPU time limit",
      "(started a new isolate; earlier globals are gone)",
      "undefined",
    ]);
  });
});
