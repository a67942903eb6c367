/**
 * The admin API's KV routes, behind `nano kv`: namespaces with their sizes and the apps that bind
 * them, keys by prefix with cursors, and one value read, written (raw bytes, `?ttl=` seconds) or
 * deleted. The operator's writes obey the apps' limits (key, value, TTL sizes).
 */
import { KV_LIMITS, NanoError } from "@nano/worker";
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { KV_NAMESPACE_NAME } from "./manifest.js";
import type { KvAdminStore } from "./registry/kv-admin-store.js";
import type { RegistryReader } from "./registry/store.js";

function invalid(message: string): never {
  throw new NanoError("NANO_ERR_KV_INVALID", message);
}

function namespaceParam(ns: string): string {
  if (!KV_NAMESPACE_NAME.test(ns)) invalid(`invalid KV namespace name "${ns.slice(0, 80)}"`);
  return ns;
}

function keyParam(key: string): string {
  if (key === "" || key === "." || key === "..") invalid(`invalid KV key "${key}"`);
  const n = Buffer.byteLength(key);
  if (n > KV_LIMITS.keyBytes) invalid(`the key is ${n} bytes in UTF-8, over the limit of ${KV_LIMITS.keyBytes}`);
  return key;
}

/** Which apps bind each namespace, from their active versions' manifests. */
function bindings(store: RegistryReader): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const app of store.listApps()) {
    if (app.activeVersion === null) continue;
    const kv = store.getVersion(app.name, app.activeVersion)?.manifest.kv ?? {};
    for (const ns of new Set(Object.values(kv))) out.set(ns, [...(out.get(ns) ?? []), app.name]);
  }
  return out;
}

export function mountKvRoutes(api: Hono, store: RegistryReader, kv: KvAdminStore): void {
  api.get("/v1/kv", (c) => {
    const bound = bindings(store);
    const stats = new Map(kv.namespaces().map((s) => [s.name, s]));
    const names = [...new Set([...bound.keys(), ...stats.keys()])].sort();
    return c.json({
      namespaces: names.map((name) => ({
        name,
        keys: stats.get(name)?.keys ?? 0,
        bytes: stats.get(name)?.bytes ?? 0,
        apps: bound.get(name) ?? [],
      })),
    });
  });

  api.get("/v1/kv/:ns/keys", (c) => {
    const ns = namespaceParam(c.req.param("ns"));
    const prefix = c.req.query("prefix") ?? "";
    if (Buffer.byteLength(prefix) > KV_LIMITS.keyBytes) invalid(`the prefix is over ${KV_LIMITS.keyBytes} bytes`);
    const limitText = c.req.query("limit") ?? String(KV_LIMITS.listLimit);
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > KV_LIMITS.listLimit) {
      invalid(`"limit" must be an integer from 1 to ${KV_LIMITS.listLimit}`);
    }
    let page: ReturnType<KvAdminStore["list"]>;
    try {
      page = kv.list(ns, { prefix, limit, cursor: c.req.query("cursor") || null });
    } catch (err) {
      if (err instanceof TypeError) invalid(err.message);
      throw err;
    }
    const keys = page.keys.map((k) => ({
      name: k.name,
      ...(k.expiration === null ? {} : { expiration: k.expiration }),
      ...(k.metadata === null ? {} : { metadata: JSON.parse(k.metadata) as unknown }),
    }));
    return c.json(
      page.cursor === null ? { keys, list_complete: true } : { keys, list_complete: false, cursor: page.cursor },
    );
  });

  api.get("/v1/kv/:ns/values/:key", (c) => {
    const ns = namespaceParam(c.req.param("ns"));
    const key = keyParam(c.req.param("key"));
    const entry = kv.get(ns, key);
    if (!entry) throw new NanoError("NANO_ERR_KV_KEY_NOT_FOUND", `namespace "${ns}" has no key "${key.slice(0, 200)}"`);
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    if (entry.expiration !== null) headers["x-nano-kv-expiration"] = String(entry.expiration);
    if (entry.metadata !== null) headers["x-nano-kv-metadata"] = encodeURIComponent(entry.metadata);
    return c.body(new Uint8Array(entry.value), 200, headers);
  });

  api.put(
    "/v1/kv/:ns/values/:key",
    bodyLimit({
      maxSize: KV_LIMITS.valueBytes,
      onError: () => {
        throw new NanoError("NANO_ERR_PAYLOAD_TOO_LARGE", `a KV value may be at most ${KV_LIMITS.valueBytes} bytes`);
      },
    }),
    async (c) => {
      const ns = namespaceParam(c.req.param("ns"));
      const key = keyParam(c.req.param("key"));
      const ttlText = c.req.query("ttl");
      let expiration: number | null = null;
      if (ttlText !== undefined) {
        const ttl = Number(ttlText);
        if (!Number.isInteger(ttl) || ttl < KV_LIMITS.minTtlS) {
          invalid(`"ttl" must be a whole number of seconds, at least ${KV_LIMITS.minTtlS}`);
        }
        expiration = Math.floor(Date.now() / 1000) + ttl;
      }
      const value = new Uint8Array(await c.req.arrayBuffer());
      try {
        kv.put(ns, key, value, null, expiration);
      } catch (err) {
        // The namespace's quota.
        if (err instanceof RangeError) throw new NanoError("NANO_ERR_PAYLOAD_TOO_LARGE", err.message);
        throw err;
      }
      return c.json({ namespace: ns, key, bytes: value.byteLength, ...(expiration === null ? {} : { expiration }) });
    },
  );

  api.delete("/v1/kv/:ns/values/:key", (c) => {
    const ns = namespaceParam(c.req.param("ns"));
    const key = keyParam(c.req.param("key"));
    if (!kv.get(ns, key))
      throw new NanoError("NANO_ERR_KV_KEY_NOT_FOUND", `namespace "${ns}" has no key "${key.slice(0, 200)}"`);
    kv.delete(ns, key);
    return c.json({ namespace: ns, deleted: key });
  });
}
