/** `nano kv ls | get | put | rm`: the KV namespaces apps bind, read and written by the operator. */
import { Command } from "commander";
import { AdminClient } from "../client.js";
import { parsePositive, type RemoteOptions } from "../options.js";

const remote = (cmd: Command) =>
  cmd.option("--server <url>", "admin API URL (NANO_URL)").option("--token <token>", "admin token (NANO_TOKEN)");

const valuePath = (ns: string, key: string) => `/v1/kv/${encodeURIComponent(ns)}/values/${encodeURIComponent(key)}`;

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

interface NamespaceInfo {
  name: string;
  keys: number;
  bytes: number;
  apps: string[];
}

interface KeysPage {
  keys: { name: string; expiration?: number; metadata?: unknown }[];
  list_complete: boolean;
  cursor?: string;
}

export function kvCommand(): Command {
  const kv = new Command("kv").description("list, read, write and remove keys of KV namespaces");

  remote(kv.command("ls").description("the namespaces; or a namespace's keys (every page)"))
    .argument("[namespace]")
    .option("--prefix <prefix>", "only keys that start with this")
    .option("--json", "print JSON")
    .action(async (ns: string | undefined, opts: RemoteOptions & { prefix?: string }) => {
      const client = new AdminClient(opts);
      if (ns === undefined) {
        const r = await client.request<{ namespaces: NamespaceInfo[] }>("GET", "/v1/kv");
        if (opts.json) console.log(JSON.stringify(r.namespaces));
        else if (r.namespaces.length === 0) console.log("no KV namespaces");
        else {
          console.log("NAMESPACE\tKEYS\tBYTES\tAPPS");
          for (const n of r.namespaces) console.log(`${n.name}\t${n.keys}\t${n.bytes}\t${n.apps.join(",") || "-"}`);
        }
        return;
      }
      const keys: KeysPage["keys"] = [];
      let cursor: string | undefined;
      do {
        const q = new URLSearchParams({
          ...(opts.prefix ? { prefix: opts.prefix } : {}),
          ...(cursor ? { cursor } : {}),
        });
        const page = await client.request<KeysPage>("GET", `/v1/kv/${encodeURIComponent(ns)}/keys?${q}`);
        keys.push(...page.keys);
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      if (opts.json) console.log(JSON.stringify(keys));
      else if (keys.length === 0) console.log("no keys");
      else
        for (const k of keys)
          console.log(k.expiration ? `${k.name}\texpires ${new Date(k.expiration * 1000).toISOString()}` : k.name);
    });

  remote(kv.command("get").description("print a key's value (raw bytes) on stdout"))
    .argument("<namespace>")
    .argument("<key>")
    .action(async (ns: string, key: string, opts: RemoteOptions) => {
      const value = await new AdminClient(opts).bytes("GET", valuePath(ns, key));
      process.stdout.write(value);
    });

  remote(kv.command("put").description("set a key; the value is the argument, or stdin without one"))
    .argument("<namespace>")
    .argument("<key>")
    .argument("[value]")
    .option("--ttl <seconds>", "expire after this many seconds (at least 60)", parsePositive)
    .action(async (ns: string, key: string, value: string | undefined, opts: RemoteOptions & { ttl?: number }) => {
      const bytes = value === undefined ? await readStdin() : Buffer.from(value, "utf8");
      const q = opts.ttl === undefined ? "" : `?ttl=${opts.ttl}`;
      await new AdminClient(opts).bytes("PUT", valuePath(ns, key) + q, bytes);
      console.log(`put ${key} in ${ns} (${bytes.byteLength} bytes)`);
    });

  remote(kv.command("rm").description("remove a key"))
    .argument("<namespace>")
    .argument("<key>")
    .action(async (ns: string, key: string, opts: RemoteOptions) => {
      await new AdminClient(opts).request("DELETE", valuePath(ns, key));
      console.log(`removed ${key} from ${ns}`);
    });

  return kv;
}
