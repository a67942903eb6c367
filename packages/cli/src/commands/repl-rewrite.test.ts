// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are REPL input, templates included
import { createContext, runInContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { hasTopLevelAwait, rewriteReplInput } from "./repl-rewrite.js";
import { tokenize } from "./repl-tokens.js";

/** Runs REPL lines as the isolate does (an indirect eval per line, in one global scope), awaiting promises. */
async function session(lines: string[]): Promise<unknown[]> {
  const context = createContext({});
  const out: unknown[] = [];
  for (const line of lines) {
    const value = runInContext(`globalThis.eval(${JSON.stringify(rewriteReplInput(line))})`, context);
    // A promise of the context's realm: not `instanceof Promise` here.
    out.push(typeof value?.then === "function" ? await value : value);
  }
  return out;
}

describe("rewriteReplInput", () => {
  it("keeps let, const and class bindings between lines", async () => {
    expect(
      await session(["let n = 41", "n + 1", "const s = 'a'", "s + n", "class A { v() { return 7 } }", "new A().v()"]),
    ).toEqual([undefined, 42, undefined, "a41", undefined, 7]);
  });

  it("leaves nested and loop declarations block-scoped", async () => {
    expect(await session(["{ let inner = 1 }", "typeof inner", "for (let i = 0; i < 2; i++) {}", "typeof i"])).toEqual([
      undefined,
      "undefined",
      undefined,
      "undefined",
    ]);
  });

  it("runs top-level await and keeps its declarations, destructuring included", async () => {
    expect(
      await session([
        "await Promise.resolve(5)",
        "const { a, b: [c = 3, ...rest] } = await Promise.resolve({ a: 1, b: [undefined, 4, 5] })",
        "[a, c, rest]",
        "let x = await 1, y",
        "[x, y]",
        "async function f() { return 9 }; await f()",
        "f.name",
        "class K {}; await null; typeof K",
        "let z = 2; await z * 10",
      ]),
    ).toEqual([5, undefined, [1, 3, [4, 5]], undefined, [1, undefined], 9, "f", "function", 20]);
  });

  it("does not mistake strings, templates, regular expressions or comments for declarations", async () => {
    expect(
      await session([
        "'let q = 1'",
        "`${'const'} r = ${1 + 1}`",
        "/let [a-z]+/.test('let x')",
        "// const gone = 1\n3",
        "`${await 4}`",
      ]),
    ).toEqual(["let q = 1", "const r = 2", true, 3, "4"]);
  });

  it("keeps columns of a line without await (stack traces stay right)", () => {
    expect(rewriteReplInput("const a = 1; a.b.c")).toBe("var   a = 1; a.b.c");
    expect(rewriteReplInput("throw new Error('x')")).toBe("throw new Error('x')");
  });

  it("detects top-level await only outside functions", () => {
    expect(hasTopLevelAwait("await 1")).toBe(true);
    expect(hasTopLevelAwait("async () => await 1")).toBe(false);
    expect(hasTopLevelAwait("var await = 1")).toBe(false);
  });

  it("tokenizes templates with nested substitutions and regex after operators", () => {
    const values = tokenize("a = `x${`y${1}`}z` / 2; b = /\\//g").map((t) => t.value);
    expect(values).toEqual(["a", "=", "`x${", "`y${", "1", "}`", "}z`", "/", "2", ";", "b", "=", "/\\//g"]);
  });
});
