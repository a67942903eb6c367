/** `nano logs APP [-f]`: recent request lines and console output; -f follows (server-sent events). */
import { Command } from "commander";
import { AdminClient } from "../client.js";
import { parsePositive, type RemoteOptions } from "../options.js";

interface LogLine {
  time: number;
  level: string;
  msg: string;
  requestId?: string;
}

function print(r: LogLine, json: boolean | undefined): void {
  console.log(json ? JSON.stringify(r) : `${new Date(r.time).toISOString()} ${r.level.padEnd(5)} ${r.msg}`);
}

export function logsCommand(): Command {
  return new Command("logs")
    .description("show an app's recent logs; -f follows new ones")
    .argument("<app>")
    .option("-f, --follow", "keep printing new records")
    .option("-n, --limit <n>", "how many recent records", parsePositive, 100)
    .option("--server <url>", "admin API URL (NANO_URL)")
    .option("--token <token>", "admin token (NANO_TOKEN)")
    .option("--json", "print JSON lines")
    .action(async (app: string, opts: RemoteOptions & { follow?: boolean; limit: number }) => {
      const client = new AdminClient(opts);
      const path = `/v1/apps/${encodeURIComponent(app)}/logs?limit=${opts.limit}`;
      if (!opts.follow) {
        const r = await client.request<{ logs: LogLine[] }>("GET", path);
        for (const l of r.logs) print(l, opts.json);
        return;
      }
      const res = await client.stream(`${path}&follow=1`);
      const decoder = new TextDecoder();
      let buf = "";
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i = buf.indexOf("\n\n");
        while (i >= 0) {
          const event = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = event
            .split("\n")
            .filter((l) => l.startsWith("data:"))
            .map((l) => l.slice(5).trimStart())
            .join("\n");
          if (data) print(JSON.parse(data) as LogLine, opts.json);
          i = buf.indexOf("\n\n");
        }
      }
    });
}
