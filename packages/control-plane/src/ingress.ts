/**
 * The ingress: a Hono app that turns each HTTP request into a flat task for the worker pool and the
 * task's result back into a response (status, every header — several Set-Cookie included — body).
 * It reads the Node request directly rather than building a Web Request only to flatten it again.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { HttpBindings } from "@hono/node-server";
import { type FetchResult, NanoError, type RequestWire, type VersionWire, type WorkerPool } from "@nano/worker";
import { type Context, Hono } from "hono";
import type { AppGovernor } from "./app-governor.js";
import type { AssetGate } from "./assets/asset-gate.js";
import { type Logger, logAppRecords } from "./logger.js";
import { streamFromPort } from "./port-stream.js";
import { type CfHeaderMap, requestCf } from "./request-cf.js";
import { acceptWebSocket, type WebSocketGateway } from "./websocket-upgrade.js";

export const MAX_REQUEST_BODY_BYTES = 32 * 1024 * 1024;

export interface RequestRecord {
  requestId: string;
  app: string;
  version: string;
  method: string;
  path: string;
  status: number;
  seconds: number;
  result: FetchResult;
  /** Answered by the ingress itself (throttled, overloaded) without reaching a thread. */
  refused?: boolean;
  /** Answered from the app's static assets, without reaching a thread. */
  asset?: boolean;
}

/** Sees every request the ingress answered (metrics, log rings); the default sees nothing. */
export interface IngressObserver {
  onRequest(record: RequestRecord): void;
}

export interface IngressOptions {
  pool: WorkerPool;
  /** Which version serves this host and path: null answers 404, a NanoError answers its status. */
  resolve(host: string, path: string): VersionWire | NanoError | null;
  logger: Logger;
  observer?: IngressObserver;
  /** Per-app in-flight bounds and the CPU throttle; none: every request goes to the pool. */
  governor?: AppGovernor;
  /** `request.cf` fields taken from trusted proxy headers (field → header); none: only what the ingress knows. */
  cfHeaders?: CfHeaderMap;
  /** Static assets: a matching GET or HEAD is answered before the pool (none: every request goes on). */
  assets?: AssetGate;
  /** Completes WebSocket upgrades the app answers with 101 (websocket-upgrade.ts); none: such answers fail. */
  websockets?: WebSocketGateway;
}

function bodyTooLarge(limit: number): NanoError {
  return new NanoError("NANO_ERR_BODY_TOO_LARGE", `the request body is larger than ${limit} bytes`);
}

/**
 * The whole body, or a NanoError past `limit` bytes. Past the limit it stops reading and leaves the
 * socket alone: the caller answers 413 with `Connection: close`, and Node closes the connection once
 * that answer is written (destroying it here would reset the connection before any answer).
 */
function readBody(req: IncomingMessage, limit: number): Promise<ArrayBuffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", reject);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        req.pause();
        chunks.length = 0;
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      if (size === 0) return resolve(null);
      const out = new Uint8Array(size);
      let off = 0;
      for (const c of chunks) {
        out.set(c, off);
        off += c.length;
      }
      resolve(out.buffer);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", reject);
  });
}

/** Headers the ingress sets itself: a client's own values for them are dropped. */
const INGRESS_HEADERS = new Set(["x-request-id", "x-forwarded-for", "x-nano-client-ip"]);

/**
 * The client's headers, less those the ingress sets, in one pass over Node's raw list. With `host`
 * (an absolute-form target's authority) the Host field's value is that authority, as a proxy sends it.
 */
function clientHeaders(raw: string[], host: string | null): string[] {
  const out: string[] = [];
  let hostSet = host === null;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (INGRESS_HEADERS.has(name)) continue;
    if (host !== null && name === "host") {
      out.push(raw[i] as string, host);
      hostSet = true;
    } else out.push(raw[i] as string, raw[i + 1] as string);
  }
  if (!hostSet) out.push("host", host as string);
  return out;
}

/** `uri-host [":" port]` (RFC 9110 §7.2, RFC 3986 §3.2.2): an IP literal, or reg-name / IPv4 characters. */
const AUTHORITY = /^(?:\[[0-9a-z:.]+\]|[a-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]*)?$/i;
/** An absolute-form request target (RFC 9112 §3.2.2): scheme, authority, then path and query. */
const ABSOLUTE_FORM = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^#]*)/i;

/** Where a request goes: the host it names and its origin-form target (path and query). */
interface Target {
  /** Lower-case, for routing and the app's URL. */
  host: string;
  target: string;
  /** An absolute-form target's authority as sent (it replaces the Host field's value); null for a path. */
  authority: string | null;
}

/**
 * The request's host and target per RFC 9112 §3.2: exactly one Host field (none only on HTTP/1.0)
 * with a valid value, else 400; an absolute-form target's authority replaces the Host field, and its
 * path and query are the target.
 */
function requestTarget(incoming: IncomingMessage): Target | NanoError {
  let hosts = 0;
  let field = "";
  const raw = incoming.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).length === 4 && (raw[i] as string).toLowerCase() === "host") {
      hosts++;
      field = raw[i + 1] as string;
    }
  }
  if (hosts > 1) return badRequest("the request has more than one Host header field");
  const http10 = incoming.httpVersionMajor === 1 && incoming.httpVersionMinor === 0;
  if (hosts === 0 && !http10) return badRequest("the request has no Host header field");
  if (!AUTHORITY.test(field)) return badRequest("the request's Host header field is not a valid host");
  const url = incoming.url ?? "/";
  if (url.startsWith("/")) return { host: (hosts ? field : "localhost").toLowerCase(), target: url, authority: null };
  const m = ABSOLUTE_FORM.exec(url);
  const scheme = m?.[1]?.toLowerCase();
  const authority = m?.[2] ?? "";
  if (!m || (scheme !== "http" && scheme !== "https"))
    return badRequest("the request target is neither a path nor an http(s) URL");
  // An http URI has a host and no userinfo (RFC 9110 §4.2.1, §4.2.4).
  if (authority === "" || authority.startsWith(":") || !AUTHORITY.test(authority))
    return badRequest("the request target's URL has no valid host");
  const rest = m[3] ?? "";
  return { host: authority.toLowerCase(), target: rest.startsWith("/") ? rest : `/${rest}`, authority };
}

function badRequest(message: string): NanoError {
  return new NanoError("NANO_ERR_BAD_REQUEST", message);
}

/**
 * Flat [name, value, …] to a record Node's writeHead takes; repeated names (Set-Cookie) become arrays.
 * The worker thread has already checked the head (response-head.ts: lower-case names, no hop-by-hop
 * fields); with a body, its Content-Length is the ingress's to set.
 */
function headerRecord(flat: string[], hasBody: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i] as string;
    if (hasBody && name === "content-length") continue;
    const value = flat[i + 1] as string;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

/** A JSON error; `close` ends the connection after it (the request's bytes cannot be trusted or were left unread). */
function errorResponse(err: NanoError, requestId: string, close = false): Response {
  const headers: Record<string, string> = { "content-type": "application/json", "x-request-id": requestId };
  if (err.retryAfter !== undefined) headers["retry-after"] = String(err.retryAfter);
  if (close) headers.connection = "close";
  return new Response(JSON.stringify(err.toJSON()), { status: err.status, headers });
}

/** A reason phrase Node may write: field-value characters only (RFC 9112 §4), never CR or LF. */
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function createIngress(opts: IngressOptions): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  // No exception on the request path may escape to the process: it serves every other app too.
  app.onError((err) => {
    opts.logger.error({ err }, "ingress error");
    return errorResponse(new NanoError("NANO_ERR_INTERNAL"), randomUUID());
  });
  app.all("*", async (c) => {
    const started = performance.now();
    const incoming = c.env.incoming;
    const requestId = (incoming.headers["x-request-id"] as string | undefined) ?? randomUUID();
    const where = requestTarget(incoming);
    if (where instanceof NanoError) return errorResponse(where, requestId, true);
    const { host } = where;
    const path = where.target.split("?")[0] as string;
    const version = opts.resolve(host.replace(/:\d+$/, ""), path);
    if (!version)
      return errorResponse(new NanoError("NANO_ERR_APP_NOT_FOUND", `no app serves ${host}${path}`), requestId);
    if (version instanceof NanoError) return errorResponse(version, requestId);

    const method = incoming.method ?? "GET";
    const record = (status: number, result: FetchResult, refused?: boolean, asset?: boolean) =>
      opts.observer?.onRequest({
        ...(refused ? { refused } : {}),
        ...(asset ? { asset } : {}),
        requestId,
        app: version.app,
        version: version.id,
        method,
        path,
        status,
        seconds: (performance.now() - started) / 1000,
        result,
      });
    if (opts.assets && version.assets) {
      const served = await opts.assets.serve(version, incoming, where.target);
      if (served) {
        record(served.status, { response: null, error: null, logs: [], cpuMs: 0, coldStart: false }, false, true);
        return served.response;
      }
    }
    const refused = opts.governor?.admit(version.app);
    if (refused) {
      // Answered at once: the request never holds a thread that well-behaved apps need.
      record(
        refused.status,
        {
          response: null,
          error: { code: refused.code, message: refused.message },
          logs: [],
          cpuMs: 0,
          coldStart: false,
        },
        true,
      );
      return errorResponse(refused, requestId);
    }
    let released = false;
    const release = (result: FetchResult | null) => {
      if (released) return;
      released = true;
      opts.governor?.release(version.app, result?.cpuMs ?? 0, result?.error?.code);
    };
    try {
      return await forward(c, version, method, where, path, requestId, started, record, release);
    } finally {
      release(null);
    }
  });

  async function forward(
    c: Context<{ Bindings: HttpBindings }>,
    version: VersionWire,
    method: string,
    where: Target,
    path: string,
    requestId: string,
    started: number,
    record: (status: number, result: FetchResult) => void,
    release: (result: FetchResult) => void,
  ): Promise<Response> {
    const incoming = c.env.incoming;
    let body: ArrayBuffer | null = null;
    if (method !== "GET" && method !== "HEAD") {
      // A declared length over the limit is refused before a byte of the body is read. Either way
      // the connection closes after the 413: the rest of the body is never read.
      const declared = Number(incoming.headers["content-length"] ?? 0);
      if (declared > MAX_REQUEST_BODY_BYTES)
        return errorResponse(bodyTooLarge(MAX_REQUEST_BODY_BYTES), requestId, true);
      try {
        body = await readBody(incoming, MAX_REQUEST_BODY_BYTES);
      } catch (err) {
        if (err instanceof NanoError) return errorResponse(err, requestId, err.code === "NANO_ERR_BODY_TOO_LARGE");
        return errorResponse(new NanoError("NANO_ERR_INTERNAL", String(err)), requestId);
      }
    }
    // The app sees the original Host (an absolute-form target's authority), the client address and the request id.
    const clientIp = incoming.socket.remoteAddress ?? "";
    const forwarded = incoming.headers["x-forwarded-for"];
    const headers = clientHeaders(incoming.rawHeaders, where.authority);
    headers.push("x-nano-client-ip", clientIp, "x-request-id", requestId);
    headers.push("x-forwarded-for", forwarded ? `${forwarded}, ${clientIp}` : clientIp);
    const request: RequestWire = {
      requestId,
      method,
      url: `http://${where.host}${where.target}`,
      headers,
      body,
      cf: requestCf(incoming, opts.cfHeaders),
    };
    let result = await opts.pool.fetch(version, request);
    release(result);
    const fields = { requestId, app: version.app, version: version.id };
    logAppRecords(opts.logger, result.logs, fields);
    if (result.webSocketPort) {
      // 101 with a WebSocket: the gateway takes the connection; its request line is logged when it closes.
      const refused = acceptWebSocket(opts.websockets, c.env, result.webSocketPort, {
        ...fields,
        method,
        path,
        started,
        limit: version.limits.websockets,
        headers: result.response?.headers ?? [],
      });
      if (refused === null) {
        record(101, result);
        return new Response(null, { status: 204 });
      }
      result = { ...result, response: null, error: { code: refused.code, message: refused.message } };
    }

    let response: Response;
    if (result.error || !result.response) {
      const err = result.error ? NanoError.from(result.error) : new NanoError("NANO_ERR_INTERNAL");
      opts.logger.error({ ...fields, code: err.code }, err.message);
      response = errorResponse(err, requestId);
    } else if (result.response.status < 200 || result.response.status > 599) {
      response = errorResponse(new NanoError("NANO_ERR_BAD_RESPONSE", "the app returned Response.error()"), requestId);
    } else {
      const r = result.response;
      const noBody = method === "HEAD" || [101, 204, 205, 304].includes(r.status);
      // node-server's writeHead passes no reason phrase, so Node uses statusMessage when it is set.
      if (r.statusText && REASON_PHRASE.test(r.statusText)) c.env.outgoing.statusMessage = r.statusText;
      if (result.bodyPort) {
        // The app streams its body: pass chunks on as they come (a HEAD answer drops them).
        const stream = streamFromPort(result.bodyPort);
        if (noBody) void stream.cancel();
        response = new Response(noBody ? null : stream, {
          status: r.status,
          headers: headerRecord(r.headers, !noBody),
        });
      } else {
        // A plain header record and a Uint8Array body take node-server's fast path (no Headers, no stream).
        const body = noBody || !r.body ? null : new Uint8Array(r.body);
        response = new Response(body, {
          status: r.status,
          headers: headerRecord(r.headers, body !== null),
        });
      }
    }
    record(response.status, result);
    opts.logger.info(
      {
        ...fields,
        method,
        path,
        status: response.status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        cpuMs: Math.round(result.cpuMs * 100) / 100,
        cold: result.coldStart,
      },
      "request",
    );
    return response;
  }
  return app;
}
