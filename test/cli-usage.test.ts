/** CLI exit codes as a user sees them: 2 and one line for a usage error, 1 for a failure while running. */
import { beforeAll, describe, expect, it } from "vitest";
import { runNano } from "./helpers.js";

/** Nothing listens here: a command that gets past parsing fails to connect (exit 1). */
const NOWHERE = { NANO_URL: "http://127.0.0.1:9", NANO_TOKEN: "x" };

describe("nano usage errors", () => {
  // The launcher rebuilds changed sources first, on stderr: do that before counting stderr's lines.
  beforeAll(async () => {
    await runNano(["--version"], { timeoutMs: 300_000 });
  }, 310_000);

  const cases: [string, string[], RegExp][] = [
    [
      "an unknown option of a command",
      ["deploy", "--bogus"],
      /^nano: unknown option '--bogus' \(see nano deploy --help\)$/,
    ],
    [
      "an unknown option of a subcommand",
      ["apps", "ls", "--bogus"],
      /^nano: unknown option '--bogus' \(see nano apps ls --help\)$/,
    ],
    [
      "a missing option value",
      ["deploy", "examples/hello", "--name"],
      /^nano: option '--name <name>' argument missing/,
    ],
    ["a missing argument", ["apps", "info"], /^nano: missing required argument 'app' \(see nano apps info --help\)$/],
    ["a missing argument of a nested command", ["secrets", "put", "x"], /^nano: missing required argument 'key'/],
    ["an unknown command", ["frobnicate"], /^nano: unknown command 'frobnicate' \(see nano --help\)$/],
    ["an unknown subcommand", ["apps", "frob"], /^nano: unknown command 'frob' \(see nano apps --help\)$/],
    ["an unknown top-level option", ["--bogus"], /^nano: unknown option '--bogus'/],
    [
      "an invalid option value",
      ["serve", "--port", "abc"],
      /^nano: option '-p, --port <port>' argument 'abc' is invalid/,
    ],
    ["too many arguments", ["deploy", "a", "b"], /^nano: too many arguments for 'deploy'/],
    ["a misspelt option, with the suggestion on the same line", ["deploy", "--nmae", "x"], /Did you mean --name\?/],
  ];
  for (const [what, args, line] of cases) {
    it(`exits 2 with one line on stderr for ${what}: nano ${args.join(" ")}`, async () => {
      const r = await runNano(args, { env: NOWHERE });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(line);
    });
  }

  it("exits 2 for a command group without its subcommand, listing the subcommands on stderr", async () => {
    const r = await runNano(["apps"], { env: NOWHERE });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^Usage: nano apps/);
    expect(r.stderr).toContain("rollback");
  });

  it("still exits 0 for --help and --version of any command", async () => {
    for (const args of [["--help"], ["--version"], ["apps", "ls", "--help"], ["deploy", "--help"]]) {
      const r = await runNano(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout).not.toBe("");
    }
  });

  it("exits 1, not 2, for a failure while running (a server that cannot be reached)", async () => {
    const r = await runNano(["apps", "ls"], { env: NOWHERE });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^nano: cannot reach the NANO server at http:\/\/127\.0\.0\.1:9/);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("exits 1 for a deploy whose folder does not exist", async () => {
    const r = await runNano(["deploy", "/nonexistent/nano-app"], { env: NOWHERE });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^nano: /);
  });
});
