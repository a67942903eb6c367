/**
 * What the serving side knows: which app answers a host/path or a dedicated port, and each app's active
 * version in wire form (code, code cache, env = vars + secrets, limits). It learns of changes from the
 * registry (its generation counter), not from in-process calls, so a serving process separate from the
 * admin process sees deploys the same way; in one process the admin API also calls refresh() at once.
 */
import { createHash } from "node:crypto";
import { NanoError, prepareVersion, type VersionWire } from "@nano/worker";
import type { RegistryReader } from "./registry/store.js";
import { Router } from "./router.js";

export type Resolution = VersionWire | NanoError | null;

export class ServingState {
  readonly #store: RegistryReader;
  #generation = -1;
  #router = new Router([]);
  #active = new Map<string, number>();
  /** Every app in the registry, active or not (`<app>.localhost` reaches it without a registry read). */
  #names = new Set<string>();
  #ports = new Map<number, string>();
  #wires = new Map<string, VersionWire>();
  /** Apps with a quarantine on record, and when it ends (epoch ms). */
  #quarantines = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #listeners: (() => void)[] = [];

  constructor(store: RegistryReader) {
    this.#store = store;
    this.refresh();
  }

  /** The registry generation this state reflects. */
  get generation(): number {
    return this.#generation;
  }

  /** Polls the registry's generation; cheap enough to run every few hundred milliseconds. */
  watch(intervalMs = 250): void {
    this.#timer ??= setInterval(() => this.refresh(), intervalMs).unref();
  }

  onChange(fn: () => void): void {
    this.#listeners.push(fn);
  }

  refresh(): boolean {
    const g = this.#store.generation();
    if (g === this.#generation) return false;
    this.#generation = g;
    const apps = this.#store.listApps();
    this.#names = new Set(apps.map((a) => a.name));
    this.#router = new Router(apps.filter((a) => a.activeVersion !== null));
    this.#active = new Map(
      apps.filter((a) => a.activeVersion !== null).map((a) => [a.name, a.activeVersion as number]),
    );
    this.#ports = new Map(
      apps.filter((a) => a.port !== null && a.activeVersion !== null).map((a) => [a.port as number, a.name]),
    );
    this.#quarantines = new Map(
      apps.filter((a) => a.quarantine !== null).map((a) => [a.name, a.quarantine?.untilMs as number]),
    );
    this.#wires.clear();
    for (const fn of this.#listeners) fn();
    return true;
  }

  /** Dedicated ports and the app each one serves. */
  get ports(): ReadonlyMap<number, string> {
    return this.#ports;
  }

  resolve(host: string, path: string): Resolution {
    const app = this.#router.match(host, path, (name) => this.#names.has(name));
    return app === null ? null : this.wireFor(app);
  }

  resolvePort(port: number): Resolution {
    const app = this.#ports.get(port);
    return app === undefined ? null : this.wireFor(app);
  }

  /** The app's active version in wire form, built once per registry generation. */
  wireFor(app: string): Resolution {
    const until = this.#quarantines.get(app);
    if (until !== undefined) {
      const left = until - Date.now();
      if (left > 0) {
        return new NanoError(
          "NANO_ERR_APP_QUARANTINED",
          `app "${app}" is quarantined after repeated crashes of its runtime processes; deploy a new version or wait`,
          { retryAfter: Math.ceil(left / 1000) },
        );
      }
    }
    const cached = this.#wires.get(app);
    if (cached) return cached;
    const version = this.#active.get(app);
    if (version === undefined) {
      return this.#names.has(app) ? new NanoError("NANO_ERR_APP_DISABLED", `app "${app}" has no active version`) : null;
    }
    const record = this.#store.getVersion(app, version);
    if (!record) return new NanoError("NANO_ERR_APP_DISABLED", `app "${app}" has no active version`);
    const env = { ...(record.manifest.vars ?? {}), ...this.#store.getSecrets(app) };
    // The env is part of the isolate's identity: a new secret starts fresh isolates for new requests.
    const envHash = createHash("sha256").update(JSON.stringify(env)).digest("hex").slice(0, 12);
    const wire = prepareVersion({
      app,
      version: `${version}:${envHash}`,
      code: record.code,
      cachedData: record.cachedData,
      vars: env,
      kv: record.manifest.kv ?? {},
      limits: record.manifest.limits ?? {},
      assets: record.manifest.assets?.files
        ? { binding: record.manifest.assets.binding, index: JSON.stringify(record.manifest.assets) }
        : null,
    });
    this.#wires.set(app, wire);
    return wire;
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
