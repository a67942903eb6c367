/** `nano apps ls | info | rm | rollback`. */
import { Command } from "commander";
import { AdminClient } from "../client.js";
import { parsePositive, type RemoteOptions } from "../options.js";
import { table } from "../output.js";

interface AppInfo {
  name: string;
  activeVersion: number | null;
  routes: string[];
  port: number | null;
  createdAt: string;
  updatedAt: string;
  quarantine: { until: string; reason: string; level: number; since: string } | null;
}

const remote = (cmd: Command) =>
  cmd
    .option("--server <url>", "admin API URL (NANO_URL)")
    .option("--token <token>", "admin token (NANO_TOKEN)")
    .option("--json", "print JSON");

export function appsCommand(): Command {
  const apps = new Command("apps").description("list, inspect, remove and roll back apps");

  remote(apps.command("ls").description("list apps")).action(async (opts: RemoteOptions) => {
    const { apps: list } = await new AdminClient(opts).request<{ apps: AppInfo[] }>("GET", "/v1/apps");
    if (opts.json) return console.log(JSON.stringify(list));
    if (list.length === 0) return console.log("no apps deployed");
    console.log(
      table(
        ["NAME", "VERSION", "ROUTES", "PORT", "STATUS", "UPDATED"],
        list.map((a) => [
          a.name,
          a.activeVersion ?? "-",
          a.routes.join(",") || "-",
          a.port ?? "-",
          a.quarantine ? `quarantined until ${a.quarantine.until}` : a.activeVersion === null ? "disabled" : "serving",
          a.updatedAt,
        ]),
      ),
    );
  });

  remote(apps.command("info").description("an app's versions, routes, secrets and request counts"))
    .argument("<app>")
    .action(async (name: string, opts: RemoteOptions) => {
      const info = await new AdminClient(opts).request<
        AppInfo & {
          versions: { version: number; hash: string; createdAt: string; active: boolean }[];
          secrets: string[];
          requests: Record<string, number>;
          crons?: {
            cron: string;
            next: string | null;
            last: { scheduledMs: number; outcome: string | null; error: string | null } | null;
          }[];
        }
      >("GET", `/v1/apps/${encodeURIComponent(name)}`);
      if (opts.json) return console.log(JSON.stringify(info));
      console.log(`${info.name}: active version ${info.activeVersion ?? "none"}`);
      console.log(
        `routes: ${info.routes.join(", ") || `${info.name}.localhost`}${info.port ? `; port ${info.port}` : ""}`,
      );
      console.log(`secrets: ${info.secrets.join(", ") || "none"}`);
      if (info.quarantine) {
        console.log(
          `quarantined until ${info.quarantine.until} (${info.quarantine.reason}); ` +
            `lifted by a new version or \`nano apps unquarantine ${info.name}\``,
        );
      }
      const reqs = Object.entries(info.requests);
      console.log(`requests since start: ${reqs.length ? reqs.map(([s, n]) => `${s}: ${n}`).join(", ") : "none"}`);
      for (const c of info.crons ?? []) {
        const last = c.last
          ? `last ${new Date(c.last.scheduledMs).toISOString()} ${c.last.outcome ?? "running"}`
          : "never run";
        console.log(`cron "${c.cron}": next ${c.next ?? "none"}, ${last}`);
      }
      console.log(
        table(
          ["VERSION", "CREATED", "HASH", ""],
          info.versions.map((v) => [v.version, v.createdAt, v.hash.slice(0, 12), v.active ? "active" : ""]),
        ),
      );
    });

  remote(apps.command("rm").description("remove an app, its versions and secrets"))
    .argument("<app>")
    .action(async (name: string, opts: RemoteOptions) => {
      const r = await new AdminClient(opts).request<{ deleted: string }>(
        "DELETE",
        `/v1/apps/${encodeURIComponent(name)}`,
      );
      console.log(opts.json ? JSON.stringify(r) : `removed ${r.deleted}`);
    });

  remote(apps.command("rollback").description("activate the previous version (or --to a given one)"))
    .argument("<app>")
    .option("--to <version>", "version to activate", parsePositive)
    .action(async (name: string, opts: RemoteOptions & { to?: number }) => {
      const r = await new AdminClient(opts).request<{ app: string; version: number; previous: number | null }>(
        "POST",
        `/v1/apps/${encodeURIComponent(name)}/rollback`,
        opts.to !== undefined ? { version: opts.to } : {},
      );
      console.log(
        opts.json ? JSON.stringify(r) : `${r.app}: version ${r.version} is active (was ${r.previous ?? "none"})`,
      );
    });

  remote(apps.command("unquarantine").description("lift an app's quarantine now (a new version also lifts it)"))
    .argument("<app>")
    .action(async (name: string, opts: RemoteOptions) => {
      const r = await new AdminClient(opts).request<{ app: string; lifted: boolean }>(
        "POST",
        `/v1/apps/${encodeURIComponent(name)}/unquarantine`,
      );
      console.log(
        opts.json ? JSON.stringify(r) : r.lifted ? `${r.app}: quarantine lifted` : `${r.app} was not quarantined`,
      );
    });

  return apps;
}
