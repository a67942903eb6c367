/** `nano eval <code>`: evaluates in a fresh isolate with the Web runtime and prints the value. */

import type { LogRecord } from "@nano/worker";
import { loadRuntimeSnapshot, RuntimeIsolate, snapshotCopy } from "@nano/worker/isolate";
import { Command } from "commander";

export function printLog(r: LogRecord): void {
  if (r.level === "warn" || r.level === "error") console.error(r.msg);
  else console.log(r.msg);
}

export function evalCommand(): Command {
  return new Command("eval")
    .description("evaluate JavaScript in an isolate and print the result (a promise is awaited)")
    .argument("<code>", "JavaScript source")
    .option("--timeout <ms>", "CPU and wall-clock limit", "5000")
    .option("--memory <mb>", "heap limit of the isolate", "128")
    .action(async (code: string, opts: { timeout: string; memory: string }) => {
      const isolate = new RuntimeIsolate({
        snapshot: snapshotCopy(loadRuntimeSnapshot()),
        memoryMb: Number(opts.memory),
        onLog: printLog,
      });
      try {
        const result = await isolate.evaluate(code, Number(opts.timeout));
        result.logs.forEach(printLog);
        if (result.ok) console.log(result.text);
        else console.error(result.text);
        process.exitCode = result.ok ? 0 : 1;
      } finally {
        isolate.dispose();
      }
    });
}
