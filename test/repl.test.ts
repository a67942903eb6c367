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

  it("keeps let, const and class bindings between lines, and awaits at the top level", async () => {
    const input = [
      "let n = 41",
      "n + 1",
      "const greeting = 'hi'",
      "class Point { constructor(x) { this.x = x } }",
      "new Point(n).x + greeting.length",
      "{ let scoped = 1 }",
      "typeof scoped",
      "await new Promise((r) => setTimeout(() => r('slept'), 20))",
      "const { status } = await Promise.resolve(new Response(null, { status: 204 }))",
      "status",
      "const body = await new Response('multi').text(",
      ")",
      "body + n",
      "await Promise.reject(new TypeError('nope'))",
      "",
    ].join("\n");
    const r = await runNano(["repl"], { input });
    expect(r.code).toBe(0);
    const out = r.stdout
      .replace(/nano> |\.\.\. /g, "")
      .trim()
      .split("\n");
    expect(out).toEqual([
      "undefined",
      "42",
      "undefined",
      "undefined",
      "43",
      "undefined",
      "undefined",
      "slept",
      "undefined",
      "204",
      "undefined",
      "multi41",
      expect.stringMatching(/^Uncaught TypeError: nope/),
      ...out.slice(13),
    ]);
    expect(out.slice(13).every((line) => line.startsWith("    at "))).toBe(true);
  });
});
