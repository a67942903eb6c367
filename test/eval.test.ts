/** `./nano eval` output and exit codes, as a user sees them. */
import { describe, expect, it } from "vitest";
import { runNano } from "./helpers.js";

describe("nano eval", () => {
  it('prints 2 for "1+1" and exits 0', async () => {
    const r = await runNano(["eval", "1+1"]);
    expect(r).toMatchObject({ code: 0, stdout: "2\n" });
  });

  it("awaits a promise, with host timers running", async () => {
    const r = await runNano(["eval", "new Promise((r) => setTimeout(() => r({ ok: [1, 'a'] }), 20))"]);
    expect(r).toMatchObject({ code: 0, stdout: "{ ok: [ 1, 'a' ] }\n" });
  });

  it("prints console output before the value", async () => {
    const r = await runNano(["eval", "console.log('hi', { a: 1 }); 'done'"]);
    expect(r.stdout).toBe("hi { a: 1 }\ndone\n");
  });

  it("has the Web runtime: URL, TextEncoder, Headers, Response", async () => {
    const code =
      "[new URL('../x?y=1', 'https://example.com/a/b').href, new TextEncoder().encode('é').length, new Headers([['A', '1']]).get('a'), new Response('r').status]";
    const r = await runNano(["eval", code]);
    expect(r.stdout).toBe("[ 'https://example.com/x?y=1', 2, '1', 200 ]\n");
  });

  it("prints an exception's message and stack and exits 1", async () => {
    const r = await runNano(["eval", "function f() { throw new TypeError('bad thing') }\nf()"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^TypeError: bad thing\n\s+at f \(/);
  });

  it("stops an endless loop at the timeout and exits 1", async () => {
    const r = await runNano(["eval", "--timeout", "200", "while (true) {}"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("NANO_ERR_CPU_LIMIT");
  });

  it("answers --help for every command", async () => {
    for (const cmd of [[], ["eval"], ["serve"], ["repl"]]) {
      const r = await runNano([...cmd, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: nano/);
    }
  });

  it("exits non-zero with one line for an unknown command", async () => {
    const r = await runNano(["frobnicate"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});
