/** `nano cron trigger`: runs an app's scheduled handler now (the way to test it, like wrangler's test mode). */
import { Command } from "commander";
import { AdminClient } from "../client.js";
import type { RemoteOptions } from "../options.js";

interface TriggerResult {
  app: string;
  cron: string;
  outcome: "ok" | "error";
  durationMs: number;
  noRetry: boolean;
  error?: { code: string; message: string };
}

export function cronCommand(): Command {
  const cron = new Command("cron").description("run apps' scheduled handlers (cron triggers)");

  cron
    .command("trigger")
    .description("run the app's scheduled handler now; its output goes to nano logs")
    .argument("<app>")
    .option("--cron <expr>", "the controller's cron (default: the app's first cron trigger, else * * * * *)")
    .option("--server <url>", "admin API URL (NANO_URL)")
    .option("--token <token>", "admin token (NANO_TOKEN)")
    .option("--json", "print JSON")
    .action(async (app: string, opts: RemoteOptions & { cron?: string }) => {
      const r = await new AdminClient(opts).request<TriggerResult>(
        "POST",
        `/v1/apps/${encodeURIComponent(app)}/scheduled`,
        opts.cron === undefined ? {} : { cron: opts.cron },
      );
      if (opts.json) console.log(JSON.stringify(r));
      else if (r.outcome === "ok") {
        console.log(
          `ran the scheduled handler of ${r.app} ("${r.cron}"): ok in ${r.durationMs} ms${r.noRetry ? " (noRetry)" : ""}`,
        );
      }
      if (r.outcome !== "ok") {
        const first = (r.error?.message ?? "").split("\n")[0];
        if (!opts.json)
          process.stderr.write(`nano: the scheduled handler of ${r.app} failed: ${first} [${r.error?.code}]\n`);
        process.exitCode = 1;
      }
    });

  return cron;
}
