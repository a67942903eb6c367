/** `nano secrets put | ls | rm`: secrets are set through the API, never stored in the app folder. */
import { Command } from "commander";
import { AdminClient } from "../client.js";
import type { RemoteOptions } from "../options.js";

async function readValue(): Promise<string> {
  if (process.stdin.isTTY) {
    process.stderr.write("value (end with Enter): ");
    const { createInterface } = await import("node:readline");
    const rl = createInterface({ input: process.stdin, terminal: false });
    const line = await new Promise<string>((resolve) => rl.once("line", resolve));
    rl.close();
    return line;
  }
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

const remote = (cmd: Command) =>
  cmd.option("--server <url>", "admin API URL (NANO_URL)").option("--token <token>", "admin token (NANO_TOKEN)");

export function secretsCommand(): Command {
  const secrets = new Command("secrets").description(
    "set, list and remove an app's secrets (env values, encrypted at rest)",
  );

  remote(secrets.command("put").description("set a secret; the value is read from stdin (or a prompt)"))
    .argument("<app>")
    .argument("<key>")
    .action(async (app: string, key: string, opts: RemoteOptions) => {
      const value = await readValue();
      await new AdminClient(opts).request(
        "PUT",
        `/v1/apps/${encodeURIComponent(app)}/secrets/${encodeURIComponent(key)}`,
        {
          value,
        },
      );
      console.log(`set secret ${key} of ${app}`);
    });

  remote(secrets.command("ls").description("list secret names (values are never shown)"))
    .argument("<app>")
    .option("--json", "print JSON")
    .action(async (app: string, opts: RemoteOptions) => {
      const r = await new AdminClient(opts).request<{ secrets: string[] }>(
        "GET",
        `/v1/apps/${encodeURIComponent(app)}/secrets`,
      );
      console.log(opts.json ? JSON.stringify(r.secrets) : r.secrets.join("\n") || "no secrets");
    });

  remote(secrets.command("rm").description("remove a secret"))
    .argument("<app>")
    .argument("<key>")
    .action(async (app: string, key: string, opts: RemoteOptions) => {
      await new AdminClient(opts).request(
        "DELETE",
        `/v1/apps/${encodeURIComponent(app)}/secrets/${encodeURIComponent(key)}`,
      );
      console.log(`removed secret ${key} of ${app}`);
    });

  return secrets;
}
