/** `nano serve [path]`: serves one app folder (or file) on a port until interrupted. */

import { serveApp } from "@nano/control-plane";
import { Command } from "commander";
import { parsePort } from "../options.js";

/** How long `nano serve` waits for requests in flight after SIGTERM or SIGINT. */
const SHUTDOWN_MS = 10_000;

export function serveCommand(): Command {
  return new Command("serve")
    .description("bundle an app folder and serve it (TypeScript and npm imports allowed)")
    .argument("[path]", "app folder or entry file", ".")
    .option("-p, --port <port>", "port to listen on (0 picks a free one)", parsePort, 8080)
    .option("-H, --host <host>", "address to listen on", "127.0.0.1")
    .option("--threads <n>", "worker threads (default: cores - 1)", (v) => Number(v))
    .option("--allow-private-fetch", "let the app fetch loopback and private addresses (NANO_ALLOW_PRIVATE_FETCH=1)")
    .action(
      async (path: string, opts: { port: number; host: string; threads?: number; allowPrivateFetch?: boolean }) => {
        const serving = await serveApp({
          path,
          port: opts.port,
          host: opts.host,
          ...(opts.threads ? { threads: opts.threads } : {}),
          allowPrivateFetch: opts.allowPrivateFetch === true || process.env.NANO_ALLOW_PRIVATE_FETCH === "1",
        });
        console.error(`nano: serving ${serving.name} on ${serving.url}`);
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off("SIGINT", stop);
            process.off("SIGTERM", stop);
            serving.close().then(resolve, resolve);
            // A bounded drain, as `nano start`'s: a worker thread that does not finish (seen once in a
            // while on a loaded machine) must not keep the process from exiting.
            setTimeout(resolve, SHUTDOWN_MS).unref();
          };
          process.on("SIGINT", stop);
          process.on("SIGTERM", stop);
        });
        process.exit(0);
      },
    );
}
