/**
 * Routing at the ingress: host patterns (`api.example.com`, `*.example.com`), path patterns on a host
 * (`example.com/api/*` prefix, `example.com/health` exact) and `<app>.localhost`. The most specific
 * route wins: exact host over wildcard (longer suffix over shorter), then exact path over prefix,
 * longer prefix over shorter, any path route over a host-only route.
 *
 * Specificity only ever decides between one app's own routes: two routes of different apps may not
 * overlap at all (`overlaps`, refused at deploy by `checkConflicts`), so no deploy can take traffic
 * another app already receives. `<name>.localhost` is reserved for the app `<name>`.
 */
import { NanoError } from "@nano/worker";

export interface Route {
  pattern: string;
  app: string;
  /** Lower-case host without a trailing dot, or a wildcard suffix like ".example.com" for "*.example.com". */
  host: string;
  wildcard: boolean;
  /** null: any path; otherwise the path (prefix when `prefix`; a prefix always ends in "/"). */
  path: string | null;
  prefix: boolean;
}

const HOST = /^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** The namespace `<app>.localhost` lives in: reserved, never routable by another app. */
const LOCALHOST = ".localhost";

/** A host as the router compares it: lower case, without the root's trailing dot (`example.com.`). */
function normalizeHost(host: string): string {
  const h = host.toLowerCase();
  return h.endsWith(".") ? h.slice(0, -1) : h;
}

export function parseRoute(pattern: string, app: string): Route {
  const p = pattern.trim().toLowerCase();
  const slash = p.indexOf("/");
  const hostPart = normalizeHost(slash < 0 ? p : p.slice(0, slash));
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
      // `x.test/` is `x.test/*`.
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

function hostMatches(r: Route, host: string): boolean {
  return r.wildcard ? host.endsWith(r.host) && host.length > r.host.length : host === r.host;
}

/** Whether a path route matches `path`: an exact path also takes its form with a trailing slash. */
function pathMatches(r: Route, path: string): boolean {
  if (r.path === null) return true;
  if (!r.prefix) return path === r.path || path === `${r.path}/`;
  return path.startsWith(r.path) || `${path}/` === r.path;
}

function matches(r: Route, host: string, path: string): boolean {
  return hostMatches(r, host) && pathMatches(r, path);
}

/**
 * Whether some request (host, path) matches both routes — the definition of an overlap:
 * - hosts: equal concrete hosts; a wildcard and any concrete host under it (at any depth); two
 *   wildcards when one suffix ends with the other (`*.example.com`, `*.eu.example.com`);
 * - paths: a host-only route takes every path, so it overlaps any path route on an overlapping host;
 *   two prefixes when one starts with the other (`/*` overlaps every path); an exact path and a prefix
 *   when the prefix takes the path or the path with a trailing slash (`/api` and `/api/*`); two exact
 *   paths when equal up to one trailing slash.
 * Hosts are compared in lower case without a trailing dot, and `x.test/` is `x.test/*` (parseRoute).
 */
export function overlaps(a: Route, b: Route): boolean {
  const hosts =
    a.wildcard && b.wildcard
      ? a.host.endsWith(b.host) || b.host.endsWith(a.host)
      : a.wildcard
        ? hostMatches(a, b.host)
        : b.wildcard
          ? hostMatches(b, a.host)
          : a.host === b.host;
  if (!hosts) return false;
  if (a.path === null || b.path === null) return true;
  if (a.prefix && b.prefix) return a.path.startsWith(b.path) || b.path.startsWith(a.path);
  if (a.prefix) return pathMatches(a, b.path) || pathMatches(a, `${b.path}/`);
  if (b.prefix) return pathMatches(b, a.path) || pathMatches(b, `${a.path}/`);
  return a.path === b.path || a.path === `${b.path}/` || `${a.path}/` === b.path;
}

/** The app name a `<name>.localhost` host is reserved for, or null outside that namespace. */
function localhostName(host: string): string | null {
  if (!host.endsWith(LOCALHOST)) return null;
  const name = host.slice(0, -LOCALHOST.length);
  return name.length > 0 && !name.includes(".") ? name : null;
}

export class Router {
  readonly #routes: Route[];

  constructor(apps: { name: string; routes: string[] }[]) {
    const routes: Route[] = [];
    for (const a of apps) for (const p of a.routes) routes.push(parseRoute(p, a.name));
    this.#routes = routes.sort((x, y) => score(y) - score(x));
  }

  /**
   * The app serving `host` (without port) and `path`, or null. `<app>.localhost` always reaches app,
   * whatever routes a registry written before the namespace was reserved may hold.
   */
  match(host: string, path: string, known: (app: string) => boolean): string | null {
    const h = normalizeHost(host);
    const name = localhostName(h);
    if (name !== null && known(name)) return name;
    for (const r of this.#routes) if (matches(r, h, path)) return r.app;
    return null;
  }
}

function conflict(message: string): never {
  throw new NanoError("NANO_ERR_ROUTE_CONFLICT", message);
}

/**
 * Rejects a deploy whose routes overlap another app's (see `overlaps`), reach into the reserved
 * `.localhost` namespace (`localhost`, `*.localhost`, another app's `<name>.localhost`), or whose port
 * another app or the server itself already uses.
 */
export function checkConflicts(
  app: string,
  manifest: { routes?: string[]; port?: number },
  others: { name: string; routes: string[]; port: number | null }[],
  reservedPorts: number[],
): void {
  const mine = (manifest.routes ?? []).map((p) => parseRoute(p, app));
  const seen = new Set<string>();
  for (const r of mine) {
    if (seen.has(key(r))) conflict(`route "${r.pattern}" is listed twice`);
    seen.add(key(r));
    const reserved = r.host === "localhost" || r.host.endsWith(LOCALHOST);
    if (reserved && (r.wildcard || localhostName(r.host) !== app)) {
      const owner = r.wildcard ? null : localhostName(r.host);
      conflict(
        owner === null
          ? `route "${r.pattern}" is in the reserved .localhost namespace: only "<app>.localhost" for the app's own name may be routed`
          : `route "${r.pattern}" overlaps "${owner}.localhost", which is reserved for app "${owner}"`,
      );
    }
  }
  for (const o of others) {
    if (o.name === app) continue;
    for (const p of o.routes) {
      const theirs = parseRoute(p, o.name);
      const clash = mine.find((r) => overlaps(r, theirs));
      if (clash) {
        conflict(`route "${clash.pattern}" overlaps route "${theirs.pattern}", already served by app "${o.name}"`);
      }
    }
    if (manifest.port !== undefined && o.port === manifest.port) {
      conflict(`port ${manifest.port} is already used by app "${o.name}"`);
    }
  }
  if (manifest.port !== undefined && reservedPorts.includes(manifest.port)) {
    conflict(`port ${manifest.port} is the server's own ingress or admin port`);
  }
}
