/** `nano repl`: a read-eval-print loop over one isolate; timers keep running between lines. */
import repl from "node:repl";
import { loadRuntimeSnapshot, RuntimeIsolate, snapshotCopy } from "@nano/worker/isolate";
import { Command } from "commander";
import { printLog } from "./eval.js";

export function replCommand(): Command {
  return new Command("repl")
    .description("interactive JavaScript in an isolate with the Web runtime")
    .option("--timeout <ms>", "limit per line", "5000")
    .action(async (opts: { timeout: string }) => {
      const isolate = new RuntimeIsolate({
        snapshot: snapshotCopy(loadRuntimeSnapshot()),
        memoryMb: 128,
        onLog: printLog,
      });
      const server = repl.start({
        prompt: "nano> ",
        ignoreUndefined: false,
        writer: (text: unknown) => String(text),
        eval: (code, _context, _file, callback) => {
          if (!code.trim()) return callback(null, undefined);
          isolate.evaluate(code, Number(opts.timeout)).then(
            (r) => {
              r.logs.forEach(printLog);
              if (r.ok) callback(null, r.text);
              else if (/^SyntaxError: (Unexpected end of input|missing \) after|Unterminated)/.test(r.text)) {
                callback(new repl.Recoverable(new SyntaxError(r.text)), undefined);
              } else callback(null, `Uncaught ${r.text}`);
            },
            (err: Error) => callback(null, `Uncaught ${err.message}`),
          );
        },
      });
      await new Promise<void>((resolve) => server.on("exit", () => resolve()));
      isolate.dispose();
    });
}
