/** `nano login`: checks a server URL and token, then saves them for later commands (mode 0600). */
import { Command } from "commander";
import { AdminClient, writeLogin } from "../client.js";

export function loginCommand(): Command {
  return new Command("login")
    .description("save the admin API URL and token for later commands")
    .requiredOption("--server <url>", "admin API URL, e.g. http://127.0.0.1:8788")
    .requiredOption("--token <token>", "admin token")
    .action(async (opts: { server: string; token: string }) => {
      const client = new AdminClient({ server: opts.server, token: opts.token });
      await client.request("GET", "/v1/apps");
      const path = writeLogin({ server: client.server, token: opts.token });
      console.log(`logged in to ${client.server}; saved in ${path}`);
    });
}
