/** `nano start`: runs the control plane (ingress, admin API with /metrics, registry) until interrupted. */

import { resolveConfig, startServer } from "@nano/control-plane";
import { Command } from "commander";
import { parsePort } from "../options.js";

export function startCommand(): Command {
  return new Command("start")
    .description("run the control plane: HTTP ingress, admin API, /metrics, registry in a data directory")
    .option("-p, --port <port>", "ingress port (default 8080; NANO_PORT)", parsePort)
    .option("-H, --host <host>", "ingress address (default 0.0.0.0; NANO_HOST)")
    .option("--admin-port <port>", "admin API port (default 8788; NANO_ADMIN_PORT)", parsePort)
    .option("--admin-host <host>", "admin API address (default 127.0.0.1; NANO_ADMIN_HOST)")
    .option("--data-dir <dir>", "registry, keys and token (default ./.nano-data; NANO_DATA_DIR)")
    .option("--config <file>", "JSON config file (default <data-dir>/config.json; NANO_CONFIG)")
    .option("--processes <n>", "runtime processes (default max(2, cores / 2); NANO_PROCESSES)", (v) => Number(v))
    .option("--threads <n>", "worker threads per runtime process (default cores / processes; NANO_THREADS)", (v) =>
      Number(v),
    )
    .option(
      "--warm-memory <mb>",
      "heap the warm isolates of the whole server may hold, LRU-evicted past it (default 512; NANO_WARM_MEMORY_MB)",
      (v) => Number(v),
    )
    .option("--allow-private-fetch", "let apps fetch loopback and private addresses (NANO_ALLOW_PRIVATE_FETCH)")
    .option("--max-cpu-ms <ms>", "the most limits.cpuMs an app may set (default 300000; NANO_MAX_CPU_MS)", (v) =>
      Number(v),
    )
    .option("--max-memory-mb <mb>", "the most limits.memoryMb an app may set (default 4096; NANO_MAX_MEMORY_MB)", (v) =>
      Number(v),
    )
    .option("--max-wall-ms <ms>", "the most limits.wallMs an app may set (default 900000; NANO_MAX_WALL_MS)", (v) =>
      Number(v),
    )
    .option(
      "--max-subrequests <n>",
      "the most limits.subrequests an app may set (default 10000; NANO_MAX_SUBREQUESTS)",
      (v) => Number(v),
    )
    .option(
      "--database-url <url>",
      "a PostgreSQL registry shared by several nodes (NANO_DATABASE_URL; prefer the variable: a flag shows in ps)",
    )
    .option(
      "--secret-key-file <file>",
      "the secret-sealing key, 64 hex characters (NANO_SECRET_KEY_FILE, or the key itself in NANO_SECRET_KEY)",
    )
    .action(async (opts: Record<string, unknown>) => {
      const { warmMemory, ...rest } = opts;
      const named = warmMemory === undefined ? rest : { ...rest, warmMemoryMb: warmMemory };
      const flags = Object.fromEntries(Object.entries(named).filter(([, v]) => v !== undefined));
      const config = resolveConfig(flags);
      const server = await startServer(config);
      console.error(
        `nano: ingress on ${server.url}, admin API on ${server.adminUrl}, data in ${config.dataDir} ` +
          `(${server.processes} runtime processes)`,
      );
      if (server.tokenCreated) console.error(`nano: generated an admin token in ${server.tokenPath} (mode 0600)`);
      else if (server.tokenPath) console.error(`nano: admin token in ${server.tokenPath}`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          // A second signal while draining stops at once.
          process.once("SIGINT", () => process.exit(130));
          process.once("SIGTERM", () => process.exit(143));
          server.close().then(resolve, resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      process.exit(0);
    });
}
