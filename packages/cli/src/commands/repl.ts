/**
 * `nano repl`: a read-eval-print loop over one isolate; globals persist and timers keep running
 * between lines. Lines are read with readline and evaluated strictly in order — piped input included —
 * an unfinished statement continuing on the next line. Each input is rewritten first so that its
 * `let`/`const`/`class` bindings outlive it and top-level `await` works (repl-rewrite.ts).
 */
import { createInterface } from "node:readline";
import { Script } from "node:vm";
import { loadRuntimeSnapshot, RuntimeIsolate, snapshotCopy } from "@nano/worker/isolate";
import { Command } from "commander";
import { printLog } from "./eval.js";
import { rewriteReplInput } from "./repl-rewrite.js";
import { openBrackets } from "./repl-tokens.js";

/** Whether `code` fails to compile only because it ends too soon. Parsed on the host, never run there. */
function endsTooSoon(code: string): boolean {
  try {
    new Script(code);
    return false;
  } catch (err) {
    return (
      err instanceof SyntaxError && /Unexpected end of input|missing \) after|Unterminated template/.test(err.message)
    );
  }
}

/** Whether code is an unfinished statement (open brace, paren, template), top-level await included. */
function incomplete(code: string): boolean {
  if (endsTooSoon(code)) return true;
  // `await f(` fails as a script for its `await` first: count its open brackets instead.
  return /\bawait\b/.test(code) && openBrackets(code) > 0;
}

export function replCommand(): Command {
  return new Command("repl")
    .description("interactive JavaScript in an isolate with the Web runtime (.exit or Ctrl-D to leave)")
    .option("--timeout <ms>", "limit per line", "5000")
    .action(async (opts: { timeout: string }) => {
      const snapshot = loadRuntimeSnapshot();
      const fresh = () => new RuntimeIsolate({ snapshot: snapshotCopy(snapshot), memoryMb: 128, onLog: printLog });
      let isolate = fresh();
      const rl = createInterface({
        input: process.stdin,
        output: process.stdout,
        terminal: Boolean(process.stdin.isTTY),
      });
      let buffer = "";
      rl.setPrompt("nano> ");
      rl.on("SIGINT", () => {
        if (buffer) {
          buffer = "";
          process.stdout.write("\n");
          rl.setPrompt("nano> ");
          rl.prompt();
        } else rl.close();
      });
      rl.prompt();
      for await (const line of rl) {
        if (!buffer && line.trim() === ".exit") break;
        buffer = buffer ? `${buffer}\n${line}` : line;
        if (incomplete(buffer)) {
          rl.setPrompt("... ");
          rl.prompt();
          continue;
        }
        const code = buffer;
        buffer = "";
        if (code.trim()) {
          try {
            const r = await isolate.evaluate(rewriteReplInput(code), Number(opts.timeout));
            r.logs.forEach(printLog);
            console.log(r.ok ? r.text : `Uncaught ${r.text}`);
          } catch (err) {
            console.log(`Uncaught ${(err as Error).message}`);
          }
          if (!isolate.alive) {
            // A limit stopped the isolate: carry on in a new one rather than failing every later line.
            isolate = fresh();
            console.log("(started a new isolate; earlier globals are gone)");
          }
        }
        rl.setPrompt("nano> ");
        rl.prompt();
      }
      rl.close();
      isolate.dispose();
    });
}
