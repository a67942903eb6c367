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
import { type Logger, logAppRecords } from "./logger.js";
import { streamFromPort } from "./port-stream.js";

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
}

function readBody(req: IncomingMessage, limit: number): Promise<ArrayBuffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new NanoError("NANO_ERR_BODY_TOO_LARGE", `the request body is larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (size === 0) return resolve(null);
      const out = new Uint8Array(size);
      let off = 0;
      for (const c of chunks) {
        out.set(c, off);
        off += c.length;
      }
      resolve(out.buffer);
    });
    req.on("error", reject);
  });
}

/** Headers the ingress sets itself: a client's own values for them are dropped. */
const INGRESS_HEADERS = new Set(["x-request-id", "x-forwarded-for", "x-nano-client-ip"]);

/** The client's headers, less those the ingress sets, in one pass over Node's raw list. */
function clientHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!INGRESS_HEADERS.has((raw[i] as string).toLowerCase())) out.push(raw[i] as string, raw[i + 1] as string);
  }
  return out;
}

/**
 * Headers about one connection (RFC 9110 §7.6.1), such as those of an upstream response an app
 * returns as its own: never forwarded. Names from the isolate are lower-case.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * Flat [name, value, …] to a record Node's writeHead takes; repeated names (Set-Cookie) become arrays.
 * With a body, its Content-Length is the ingress's to set.
 */
function headerRecord(flat: string[], hasBody: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i] as string;
    if (HOP_BY_HOP.has(name) || (hasBody && name === "content-length")) continue;
    const value = flat[i + 1] as string;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

function errorResponse(err: NanoError, requestId: string): Response {
  const headers: Record<string, string> = { "content-type": "application/json", "x-request-id": requestId };
  if (err.retryAfter !== undefined) headers["retry-after"] = String(err.retryAfter);
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
    const host = (incoming.headers.host ?? "localhost").toLowerCase();
    const path = (incoming.url ?? "/").split("?")[0] as string;
    const version = opts.resolve(host.replace(/:\d+$/, ""), path);
    if (!version)
      return errorResponse(new NanoError("NANO_ERR_APP_NOT_FOUND", `no app serves ${host}${path}`), requestId);
    if (version instanceof NanoError) return errorResponse(version, requestId);

    const method = incoming.method ?? "GET";
    const record = (status: number, result: FetchResult, refused?: boolean) =>
      opts.observer?.onRequest({
        ...(refused ? { refused } : {}),
        requestId,
        app: version.app,
        version: version.id,
        method,
        path,
        status,
        seconds: (performance.now() - started) / 1000,
        result,
      });
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
      return await forward(c, version, method, host, path, requestId, started, record, release);
    } finally {
      release(null);
    }
  });

  async function forward(
    c: Context<{ Bindings: HttpBindings }>,
    version: VersionWire,
    method: string,
    host: string,
    path: string,
    requestId: string,
    started: number,
    record: (status: number, result: FetchResult) => void,
    release: (result: FetchResult) => void,
  ): Promise<Response> {
    const incoming = c.env.incoming;
    let body: ArrayBuffer | null = null;
    if (method !== "GET" && method !== "HEAD") {
      try {
        body = await readBody(incoming, MAX_REQUEST_BODY_BYTES);
      } catch (err) {
        return errorResponse(
          err instanceof NanoError ? err : new NanoError("NANO_ERR_INTERNAL", String(err)),
          requestId,
        );
      }
    }
    // The app sees the original Host, the client address and the request id.
    const clientIp = incoming.socket.remoteAddress ?? "";
    const forwarded = incoming.headers["x-forwarded-for"];
    const headers = clientHeaders(incoming.rawHeaders);
    headers.push("x-nano-client-ip", clientIp, "x-request-id", requestId);
    headers.push("x-forwarded-for", forwarded ? `${forwarded}, ${clientIp}` : clientIp);
    const request: RequestWire = {
      requestId,
      method,
      url: `http://${host}${incoming.url ?? "/"}`,
      headers,
      body,
    };
    const result = await opts.pool.fetch(version, request);
    release(result);
    const fields = { requestId, app: version.app, version: version.id };
    logAppRecords(opts.logger, result.logs, fields);

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
