/**
 * The admin REST API (DESIGN.md §4): JSON over HTTP, `Authorization: Bearer <token>` on /v1, errors as
 * {"error":{"code","message"}} with the catalogue's status. Built as a Hono app; server.ts listens.
 */
import { timingSafeEqual } from "node:crypto";
import { NanoError } from "@nano/worker";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { streamSSE } from "hono/streaming";
import { mountAssetRoutes } from "./admin-assets.js";
import { mountKvRoutes } from "./admin-kv.js";
import { MAX_BUNDLE_BYTES } from "./bundler.js";
import { parseCron } from "./cron.js";
import type { CronOutcome, CronScheduler } from "./cron-scheduler.js";
import { checkAppName, type DeployContext, deployVersion } from "./deploy.js";
import type { LogRing } from "./log-ring.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";
import type { KvAdminStore } from "./registry/kv-admin-store.js";
import type { AppRecord, RegistryReader, RegistryStore } from "./registry/store.js";
import { checkConflicts } from "./router.js";
import type { RuntimeInfo } from "./runtime-processes.js";

export interface AdminOptions {
  store: RegistryStore;
  /** The node's local registry file, read synchronously (KV bindings); `store` itself on one node. */
  reader?: RegistryReader;
  /** The shared registry database's state (PostgreSQL mode): /readyz says why it is unavailable. */
  registryHealth?(): { available: boolean; reason?: string; since?: string };
  /** Called after every registry change; resolves when the serving side sees it. */
  changed(): Promise<void>;
  /** The runtime processes, under `nano start`: /readyz and /v1/processes report them. */
  runtime?: { readonly ready: number; list(): RuntimeInfo[] };
  /** An app's quarantine was lifted (a deploy or the operator): its crash count starts over. */
  onLift?(app: string): void;
  deploy: DeployContext;
  metrics: Metrics;
  logs: LogRing;
  token: string;
  /** Cron triggers (under `nano start`): next and last runs in app details, and manual runs. */
  cron?: Pick<CronScheduler, "describe" | "trigger">;
  /** The KV namespaces (under `nano start`): the /v1/kv routes. */
  kv?: KvAdminStore;
  /** Serve /metrics without a token. */
  publicMetrics?: boolean;
  logger: Logger;
}

const SECRET_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const MAX_SECRET_BYTES = 64 * 1024;
/** A secret's body: its value may take 6 bytes a byte in JSON (`\u0000`), plus the field. */
const MAX_SECRET_BODY = 6 * MAX_SECRET_BYTES + 1024;
/** Bodies of the routes that take a few fields (rollback, unquarantine) or none (deletes). */
const MAX_SMALL_BODY = 4 * 1024;

/**
 * Refuses a body over `maxSize` with 413 as soon as it is known: from Content-Length before reading,
 * or while reading, which then stops. A route never buffers more than its limit.
 */
const limitBody = (maxSize: number, message: string) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new NanoError("NANO_ERR_PAYLOAD_TOO_LARGE", message);
    },
  });
const smallBody = limitBody(MAX_SMALL_BODY, `the body is larger than ${MAX_SMALL_BODY / 1024} KiB`);

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? "");
  if (!m) return false;
  const a = Buffer.from(m[1] as string);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Strict UTF-8: a malformed byte sequence is an error, never replaced with U+FFFD. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

async function bodyText(req: Request): Promise<string> {
  let bytes: ArrayBuffer;
  try {
    bytes = await req.arrayBuffer();
  } catch {
    throw new NanoError("NANO_ERR_BAD_REQUEST", "the body could not be read");
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new NanoError("NANO_ERR_BAD_REQUEST", "the body is not valid UTF-8");
  }
}

function jsonObject(text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new NanoError("NANO_ERR_BAD_REQUEST", "the body must be JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new NanoError("NANO_ERR_BAD_REQUEST", "the body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

async function jsonBody(req: Request): Promise<Record<string, unknown>> {
  return jsonObject(await bodyText(req));
}

function onlyFields(body: Record<string, unknown>, allowed: string[]): void {
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k)) throw new NanoError("NANO_ERR_BAD_REQUEST", `unknown field "${k.slice(0, 64)}"`);
  }
}

/** An app as the API shows it: its quarantine only while it is in force, with a readable end. */
function publicApp(app: AppRecord) {
  const q = app.quarantine;
  return {
    ...app,
    quarantine:
      q && q.untilMs > Date.now()
        ? { until: new Date(q.untilMs).toISOString(), reason: q.reason, level: q.level, since: q.since }
        : null,
  };
}

async function requireApp(store: RegistryStore, name: string) {
  checkAppName(name);
  const app = await store.getApp(name);
  if (!app) throw new NanoError("NANO_ERR_NOT_FOUND", `no app named "${name}"`);
  return app;
}

export function createAdminApi(opts: AdminOptions): Hono {
  const { store } = opts;
  const api = new Hono();

  api.onError((err) => {
    const e = err instanceof NanoError ? err : new NanoError("NANO_ERR_INTERNAL", "internal error");
    if (!(err instanceof NanoError)) opts.logger.error({ err }, "admin API error");
    return new Response(JSON.stringify(e.toJSON()), {
      status: e.status,
      headers: { "content-type": "application/json" },
    });
  });
  api.notFound((c) =>
    c.json(new NanoError("NANO_ERR_NOT_FOUND", `no route ${c.req.method} ${c.req.path}`).toJSON(), 404),
  );

  api.get("/healthz", (c) => c.json({ status: "ok" }));
  // Ready while at least one runtime process serves (always, without runtime processes).
  // With a shared registry that is away, the node still serves its last known state: it stays in the
  // load balancer ("degraded", with the reason), while admin writes answer 503.
  api.get("/readyz", async (c) => {
    const processes = opts.runtime?.ready ?? null;
    const registry = opts.registryHealth?.() ?? null;
    const counts = processes === null ? {} : { processes };
    if (processes === 0) {
      const why = registry?.available === false ? { registry } : {};
      return c.json({ status: "not ready", reason: "no runtime process is serving", ...counts, ...why }, 503);
    }
    if (registry?.available === false) {
      return c.json({ status: "degraded", reason: registry.reason, registry, ...counts });
    }
    // Counted in the local file when there is one: readiness never waits on (or fails with) the database.
    const apps = opts.reader ? opts.reader.listApps().length : (await store.listApps()).length;
    return c.json({ status: "ready", apps, ...counts });
  });

  api.use("*", async (c, next) => {
    if (c.req.path === "/metrics" && opts.publicMetrics) return next();
    if (!tokenMatches(c.req.header("authorization"), opts.token)) throw new NanoError("NANO_ERR_UNAUTHORIZED");
    return next();
  });

  api.get("/metrics", async (c) => {
    return c.body(await opts.metrics.registry.metrics(), 200, { "content-type": opts.metrics.registry.contentType });
  });

  api.get("/v1/apps", async (c) => c.json({ apps: (await store.listApps()).map(publicApp) }));

  api.get("/v1/processes", (c) => c.json({ processes: opts.runtime?.list() ?? [] }));

  api.post(
    "/v1/apps/:name/versions",
    bodyLimit({
      // The bundle, the manifest, and an asset list (up to 20,000 paths and hashes).
      maxSize: MAX_BUNDLE_BYTES + 8 * 1024 * 1024,
      onError: () => {
        throw new NanoError(
          "NANO_ERR_PAYLOAD_TOO_LARGE",
          `the upload is larger than ${MAX_BUNDLE_BYTES / 1048576} MiB`,
        );
      },
    }),
    async (c) => {
      const name = c.req.param("name");
      checkAppName(name);
      const body = await jsonBody(c.req.raw);
      onlyFields(body, ["bundle", "manifest", "assets"]);
      if (typeof body.bundle !== "string" || body.bundle.length === 0) {
        throw new NanoError("NANO_ERR_BAD_REQUEST", `"bundle" must be a non-empty string (the bundled app script)`);
      }
      try {
        const r = await deployVersion(opts.deploy, name, body.bundle, body.manifest ?? {}, "admin-api", body.assets);
        opts.metrics.deploy(r.created ? "created" : "unchanged");
        opts.onLift?.(name);
        await opts.changed();
        opts.logger.info({ app: name, version: r.version, created: r.created }, "deploy");
        return c.json({ ...r, active: true }, r.created ? 201 : 200);
      } catch (err) {
        opts.metrics.deploy("failed");
        throw err;
      }
    },
  );

  api.get("/v1/apps/:name", async (c) => {
    const app = await requireApp(store, c.req.param("name"));
    return c.json({
      ...publicApp(app),
      versions: await store.listVersions(app.name),
      secrets: await store.listSecretNames(app.name),
      requests: await opts.metrics.requestCounts(app.name),
      ...(opts.cron ? { crons: await opts.cron.describe(app.name) } : {}),
    });
  });

  api.post("/v1/apps/:name/scheduled", smallBody, async (c) => {
    const app = await requireApp(store, c.req.param("name"));
    if (!opts.cron) throw new NanoError("NANO_ERR_NOT_FOUND", "this server runs no scheduled handlers");
    if (app.activeVersion === null)
      throw new NanoError("NANO_ERR_APP_DISABLED", `app "${app.name}" has no active version`);
    const text = await bodyText(c.req.raw);
    const body = text.trim() === "" ? {} : jsonObject(text);
    onlyFields(body, ["cron"]);
    if (body.cron !== undefined) {
      if (typeof body.cron !== "string") throw new NanoError("NANO_ERR_BAD_REQUEST", `"cron" must be a string`);
      try {
        parseCron(body.cron);
      } catch (err) {
        throw new NanoError("NANO_ERR_BAD_REQUEST", (err as Error).message);
      }
    }
    const run: CronOutcome = await opts.cron.trigger(app.name, body.cron as string | undefined);
    const r = run.report;
    return c.json({
      app: app.name,
      cron: run.cron,
      scheduledTime: run.scheduledTime,
      outcome: r.error ? "error" : "ok",
      durationMs: run.durationMs,
      noRetry: r.noRetry,
      ...(r.error ? { error: r.error } : {}),
    });
  });

  api.delete("/v1/apps/:name", smallBody, async (c) => {
    const app = await requireApp(store, c.req.param("name"));
    await store.deleteApp(app.name);
    opts.logs.drop(app.name);
    opts.onLift?.(app.name);
    await opts.changed();
    return c.json({ deleted: app.name });
  });

  api.get("/v1/apps/:name/versions", async (c) => {
    const app = await requireApp(store, c.req.param("name"));
    return c.json({ versions: await store.listVersions(app.name) });
  });

  api.post("/v1/apps/:name/rollback", smallBody, async (c) => {
    const app = await requireApp(store, c.req.param("name"));
    const text = await bodyText(c.req.raw);
    const body = text.trim() === "" ? {} : jsonObject(text);
    onlyFields(body, ["version"]);
    let target: number;
    if (body.version !== undefined) {
      if (!Number.isInteger(body.version) || (body.version as number) < 1) {
        throw new NanoError("NANO_ERR_BAD_REQUEST", `"version" must be a positive integer`);
      }
      target = body.version as number;
      if (!(await store.getVersion(app.name, target))) {
        throw new NanoError("NANO_ERR_VERSION_NOT_FOUND", `app "${app.name}" has no version ${target}`);
      }
    } else {
      const previous = (await store.activations(app.name)).find((a) => a.version !== app.activeVersion);
      if (!previous)
        throw new NanoError("NANO_ERR_VERSION_NOT_FOUND", `app "${app.name}" has no earlier version to roll back to`);
      target = previous.version;
    }
    const manifest = (await store.getVersion(app.name, target))?.manifest ?? {};
    // The target's routes and port may have been claimed by another app since it was active: checked
    // inside the activation's transaction, as a deploy's are.
    await store.activate(app.name, target, "rollback", (apps) =>
      checkConflicts(app.name, manifest, apps, opts.deploy.reservedPorts),
    );
    if (target !== app.activeVersion) {
      await store.liftQuarantine(app.name);
      opts.onLift?.(app.name);
    }
    await opts.changed();
    return c.json({ app: app.name, version: target, previous: app.activeVersion });
  });

  api.post("/v1/apps/:name/unquarantine", smallBody, async (c) => {
    const app = await requireApp(store, c.req.param("name"));
    const lifted = app.quarantine !== null && app.quarantine.untilMs > Date.now();
    await store.liftQuarantine(app.name);
    opts.onLift?.(app.name);
    await opts.changed();
    opts.logger.info({ app: app.name, lifted }, "unquarantine");
    return c.json({ app: app.name, lifted });
  });

  api.get("/v1/apps/:name/secrets", async (c) => {
    const app = await requireApp(store, c.req.param("name"));
    return c.json({ secrets: await store.listSecretNames(app.name) });
  });

  api.put(
    "/v1/apps/:name/secrets/:key",
    limitBody(MAX_SECRET_BODY, `a secret may be at most ${MAX_SECRET_BYTES / 1024} KiB`),
    async (c) => {
      const app = await requireApp(store, c.req.param("name"));
      const key = c.req.param("key");
      if (!SECRET_KEY.test(key))
        throw new NanoError("NANO_ERR_BAD_REQUEST", `invalid secret name "${key.slice(0, 64)}"`);
      const body = await jsonBody(c.req.raw);
      onlyFields(body, ["value"]);
      if (typeof body.value !== "string") throw new NanoError("NANO_ERR_BAD_REQUEST", `"value" must be a string`);
      if (Buffer.byteLength(body.value) > MAX_SECRET_BYTES) {
        throw new NanoError("NANO_ERR_PAYLOAD_TOO_LARGE", "a secret may be at most 64 KiB");
      }
      await store.setSecret(app.name, key, body.value);
      await opts.changed();
      return c.json({ app: app.name, secret: key });
    },
  );

  api.delete("/v1/apps/:name/secrets/:key", smallBody, async (c) => {
    const app = await requireApp(store, c.req.param("name"));
    const key = c.req.param("key");
    if (!(await store.deleteSecret(app.name, key)))
      throw new NanoError("NANO_ERR_NOT_FOUND", `app "${app.name}" has no secret "${key}"`);
    await opts.changed();
    return c.json({ app: app.name, deleted: key });
  });

  if (opts.kv && opts.reader) mountKvRoutes(api, opts.reader, opts.kv);
  if (opts.deploy.assets) mountAssetRoutes(api, opts.deploy.assets, opts.deploy.assetLimits);

  api.get("/v1/apps/:name/logs", async (c) => {
    const app = await requireApp(store, c.req.param("name"));
    const limit = Math.min(1000, Math.max(1, Number(c.req.query("limit") ?? 100) || 100));
    const recent = opts.logs.recent(app.name, limit);
    if (c.req.query("follow") !== "1") return c.json({ logs: recent });
    return streamSSE(c, async (stream) => {
      // Subscribe before writing the backlog, so a record added meanwhile is queued, not lost.
      const queue = recent.map((r) => JSON.stringify(r));
      let wake: (() => void) | null = null;
      const stop = opts.logs.follow(app.name, (r) => {
        queue.push(JSON.stringify(r));
        wake?.();
      });
      stream.onAbort(() => {
        stop();
        wake?.();
      });
      while (!stream.aborted) {
        if (queue.length === 0) await new Promise<void>((r) => (wake = r));
        wake = null;
        while (queue.length > 0) await stream.writeSSE({ data: queue.shift() as string, event: "log" });
      }
    });
  });

  return api;
}
