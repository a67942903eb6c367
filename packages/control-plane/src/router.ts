/**
 * Routing at the ingress: host patterns (`api.example.com`, `*.example.com`), path patterns on a host
 * (`example.com/api/*` prefix, `example.com/health` exact) and `<app>.localhost`. The most specific
 * route wins: exact host over wildcard (longer suffix over shorter), then exact path over prefix,
 * longer prefix over shorter, any path route over a host-only route.
 */
import { NanoError } from "@nano/worker";

export interface Route {
  pattern: string;
  app: string;
  /** Lower-case host, or a wildcard suffix like ".example.com" for "*.example.com". */
  host: string;
  wildcard: boolean;
  /** null: any path; otherwise the path (prefix when `prefix`). */
  path: string | null;
  prefix: boolean;
}

const HOST = /^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function parseRoute(pattern: string, app: string): Route {
  const p = pattern.trim().toLowerCase();
  const slash = p.indexOf("/");
  const hostPart = slash < 0 ? p : p.slice(0, slash);
  let path: string | null = slash < 0 ? null : p.slice(slash);
  if (!HOST.test(hostPart) || hostPart.length > 253) {
    throw new NanoError("NANO_ERR_MANIFEST", `route "${pattern}": "${hostPart}" is not a host or *.host pattern`);
  }
  let prefix = false;
  if (path !== null) {
    if (path.endsWith("/*")) {
      prefix = true;
      path = path.slice(0, -1);
    } else if (path === "/") {
      prefix = true;
    }
    if (path.includes("*") || /[?#\s]/.test(path)) {
      throw new NanoError("NANO_ERR_MANIFEST", `route "${pattern}": a path may only end in /*`);
    }
  }
  const wildcard = hostPart.startsWith("*.");
  return { pattern, app, host: wildcard ? hostPart.slice(1) : hostPart, wildcard, path, prefix };
}

function key(r: Route): string {
  return `${r.wildcard ? "*" : ""}${r.host}${r.path ?? ""}${r.prefix ? "*" : ""}`;
}

/** Higher is more specific. */
function score(r: Route): number {
  const hostScore = r.wildcard ? r.host.length : 1_000 + r.host.length;
  const pathScore = r.path === null ? 0 : r.prefix ? 1 + r.path.length : 10_000;
  return hostScore * 100_000 + pathScore;
}

function matches(r: Route, host: string, path: string): boolean {
  if (r.wildcard ? !host.endsWith(r.host) || host.length === r.host.length : host !== r.host) return false;
  if (r.path === null) return true;
  if (!r.prefix) return path === r.path || path === `${r.path}/`;
  return path.startsWith(r.path) || `${path}/` === r.path;
}

export class Router {
  readonly #routes: Route[];

  constructor(apps: { name: string; routes: string[] }[]) {
    const routes: Route[] = [];
    for (const a of apps) for (const p of a.routes) routes.push(parseRoute(p, a.name));
    this.#routes = routes.sort((x, y) => score(y) - score(x));
  }

  /** The app serving `host` (without port) and `path`, or null. `<app>.localhost` always reaches app. */
  match(host: string, path: string, known: (app: string) => boolean): string | null {
    const h = host.toLowerCase();
    for (const r of this.#routes) if (matches(r, h, path)) return r.app;
    if (h.endsWith(".localhost")) {
      const name = h.slice(0, -".localhost".length);
      if (known(name)) return name;
    }
    return null;
  }
}

/** Rejects a deploy whose routes or port another app already claims. */
export function checkConflicts(
  app: string,
  manifest: { routes?: string[]; port?: number },
  others: { name: string; routes: string[]; port: number | null }[],
  reservedPorts: number[],
): void {
  const mine = (manifest.routes ?? []).map((p) => parseRoute(p, app));
  const seen = new Map<string, string>();
  for (const r of mine) {
    if (seen.has(key(r))) throw new NanoError("NANO_ERR_ROUTE_CONFLICT", `route "${r.pattern}" is listed twice`);
    seen.set(key(r), r.pattern);
  }
  for (const o of others) {
    if (o.name === app) continue;
    for (const p of o.routes) {
      const theirs = parseRoute(p, o.name);
      if (seen.has(key(theirs))) {
        throw new NanoError(
          "NANO_ERR_ROUTE_CONFLICT",
          `route "${seen.get(key(theirs))}" is already served by app "${o.name}"`,
        );
      }
    }
    if (manifest.port !== undefined && o.port === manifest.port) {
      throw new NanoError("NANO_ERR_ROUTE_CONFLICT", `port ${manifest.port} is already used by app "${o.name}"`);
    }
  }
  if (manifest.port !== undefined && reservedPorts.includes(manifest.port)) {
    throw new NanoError("NANO_ERR_ROUTE_CONFLICT", `port ${manifest.port} is the server's own ingress or admin port`);
  }
}
