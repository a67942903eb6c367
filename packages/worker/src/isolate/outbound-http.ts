/**
 * The host half of an app's fetch, over undici: one hop at a time (`redirect: "manual"`), the
 * redirects followed here so each hop's URL goes through the policy again
 * (https://fetch.spec.whatwg.org/#http-redirect-fetch), and the response reduced to the flat head
 * and byte stream the bridge hands to the isolate.
 */
import { createZstdDecompress } from "node:zlib";
import type { Agent, Response as UndiciResponse } from "undici";
import { type AddressPolicy, guardedLookup, OutboundRefusedError, type Resolver } from "./outbound-policy.js";

export type RedirectMode = "follow" | "manual" | "error";

export interface OutboundRequest {
  method: string;
  url: string;
  /** Flat [name, value, …]. */
  headers: string[];
  /** Bytes, or a stream the host pulls from the isolate as undici sends it (which cannot be re-sent). */
  body: Uint8Array | ReadableStream<Uint8Array> | null;
  redirect: RedirectMode;
  signal: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  statusText: string;
  /** Flat [name, value, …], lower-case names. */
  headers: string[];
  /** The URL of the last hop. */
  url: string;
  redirected: boolean;
  body: ReadableStream<Uint8Array> | null;
}

/** One hop: a request sent as is, redirects not followed. */
export type Send = (
  url: URL,
  init: {
    method: string;
    headers: [string, string][];
    body: Uint8Array | ReadableStream<Uint8Array> | null;
    signal: AbortSignal;
  },
) => Promise<UndiciResponse>;

const MAX_REDIRECTS = 20;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REQUEST_BODY_HEADERS = new Set(["content-encoding", "content-language", "content-location", "content-type"]);
/** Headers that carry credentials for one origin, dropped when a redirect leaves it. */
const CREDENTIAL_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);
/** Content codings undici decodes (lib/web/fetch/index.js); zstd only where zlib has it. */
const DECODED = new Set([
  "gzip",
  "x-gzip",
  "deflate",
  "br",
  ...(typeof createZstdDecompress === "function" ? ["zstd"] : []),
]);

/**
 * A sender over its own undici Agent, whose connections resolve names through the policy's lookup.
 * undici (~6 MB of heap) is loaded on the first send: a thread whose apps never fetch never loads it.
 */
export function createSender(policy: AddressPolicy, resolve?: Resolver): { send: Send; close(): void } {
  let agent: Agent | null = null;
  let closed = false;
  return {
    async send(url, init) {
      const undici = await import("undici");
      if (closed) throw new TypeError("fetch: the isolate was disposed");
      agent ??= new undici.Agent({ connect: { lookup: guardedLookup(policy, resolve) } });
      return undici.fetch(url, {
        method: init.method,
        headers: init.headers,
        body: init.body,
        // A stream body is sent as it comes (undici requires saying so).
        ...(init.body instanceof ReadableStream ? { duplex: "half" as const } : {}),
        redirect: "manual",
        signal: init.signal,
        dispatcher: agent,
      });
    },
    close() {
      closed = true;
      void agent?.destroy().catch(() => {});
    },
  };
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

/**
 * The response head for the isolate. The body undici hands over is already decoded, so when it
 * decoded one, Content-Encoding and Content-Length (of the encoded bytes) no longer describe it and
 * are dropped: an app that returns the response as its own must not announce gzip over plain bytes.
 */
function headHeaders(res: UndiciResponse, method: string): string[] {
  const codings = (res.headers.get("content-encoding") ?? "")
    .toLowerCase()
    .split(",")
    .map((c) => c.trim());
  const decoded =
    method !== "HEAD" &&
    !NULL_BODY_STATUS.has(res.status) &&
    codings.length <= 5 &&
    codings.every((c) => DECODED.has(c));
  const flat: string[] = [];
  for (const [name, value] of res.headers) {
    if (decoded && (name === "content-encoding" || name === "content-length")) continue;
    if (name === "set-cookie") continue;
    flat.push(name, value);
  }
  for (const cookie of res.headers.getSetCookie()) flat.push("set-cookie", cookie);
  return flat;
}

/** Runs the request hop by hop, checking each hop's URL, until a response that is not followed. */
export async function fetchFollowing(
  req: OutboundRequest,
  policy: AddressPolicy,
  send: Send,
): Promise<OutboundResponse> {
  let url = new URL(req.url);
  let method = req.method;
  let headers = pairs(req.headers);
  let body = req.body;
  for (let hops = 0; ; hops++) {
    policy.check(url);
    const res = await send(url, { method, headers, body, signal: req.signal });
    const location = res.headers.get("location");
    if (!REDIRECT_STATUS.has(res.status) || location === null || req.redirect === "manual") {
      const nullBody = method === "HEAD" || NULL_BODY_STATUS.has(res.status);
      if (nullBody) await res.body?.cancel().catch(() => {});
      return {
        status: res.status,
        statusText: res.statusText,
        headers: headHeaders(res, method),
        url: url.href,
        redirected: hops > 0,
        body: nullBody ? null : res.body,
      };
    }
    await res.body?.cancel().catch(() => {});
    if (req.redirect === "error") throw new TypeError(`fetch: redirect to ${location} with redirect mode "error"`);
    if (hops + 1 > MAX_REDIRECTS) throw new TypeError(`fetch: more than ${MAX_REDIRECTS} redirects`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new TypeError(`fetch: invalid redirect location "${location}"`);
    }
    // https://fetch.spec.whatwg.org/#http-redirect-fetch step 12: POST after 301/302, anything but GET/HEAD after 303.
    if (
      ((res.status === 301 || res.status === 302) && method === "POST") ||
      (res.status === 303 && method !== "GET" && method !== "HEAD")
    ) {
      method = method === "HEAD" ? "HEAD" : "GET";
      body = null;
      headers = headers.filter(([name]) => !REQUEST_BODY_HEADERS.has(name.toLowerCase()));
    }
    // https://fetch.spec.whatwg.org/#http-redirect-fetch step 11: a streamed body cannot be sent again.
    if (body instanceof ReadableStream) {
      throw new TypeError(`fetch: cannot follow the redirect to ${location}: the request body was a stream`);
    }
    if (next.origin !== url.origin) headers = headers.filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase()));
    url = next;
  }
}

/** What the app's TypeError says: the policy's refusal wherever it sits in the cause chain, else the cause. */
export function describeError(err: unknown): string {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof OutboundRefusedError) return e.message;
  }
  if (!(err instanceof Error)) return `fetch failed: ${String(err)}`;
  const cause = err.cause;
  if (err.message === "fetch failed" && cause instanceof Error) {
    const inner = cause instanceof AggregateError && cause.errors[0] instanceof Error ? cause.errors[0] : cause;
    return `fetch failed: ${inner.message}`;
  }
  return err.message.startsWith("fetch") ? err.message : `fetch failed: ${err.message}`;
}
