/**
 * The host side of the isolate's `fetch`, one instance per RuntimeIsolate. Like timers, it is
 * host-initiated work that calls back in: `fetchStart` (a bridge call) starts the request here; the
 * response comes back as entries — `fetchHead` once, then one `fetchChunk` per `fetchPull` the
 * isolate makes (its body stream pulls while its queue is under its high-water mark, so a body the
 * app does not read stays paused in undici and the socket), and `fetchEnd` with null or an error.
 * Entries are charged to the request that called fetch, or that last pulled its body, while it is
 * pending. A body left unread (no pull) for `idleMs` is closed, so `if ((await fetch(u)).ok)` does not
 * hold a connection forever. `env.ASSETS` fetches take the same path, answered by asset-fetch.ts.
 */
import { type BridgeFunctions, decodeHeaderBlock, encodeHeaderBlock } from "@nano/webapi";
import type { AssetServerRequest, AssetServerResponse } from "../assets/asset-server.js";
import { DEFAULT_LIMITS, DEFAULT_OUTBOUND_POLICY, type OutboundPolicy } from "../contract.js";
import { AssetFetcher } from "./asset-fetch.js";
import { createSender, describeError, fetchFollowing, type RedirectMode, type Send } from "./outbound-http.js";
import { AddressPolicy, type Resolver } from "./outbound-policy.js";
import type { HostSocket } from "./websocket-bridge.js";
import { connectWebSocket, joinClient, wantsWebSocket } from "./websocket-client.js";
import { WebSocketHeartbeat } from "./websocket-heartbeat.js";

export type FetchEntryName = "fetchHead" | "fetchChunk" | "fetchEnd" | "fetchBodyPull";

export interface FetchBridgeOptions {
  policy?: OutboundPolicy;
  /** The request the isolate is running for now (null outside any), read when fetch is called. */
  owner(): number | null;
  /** Enters the isolate on behalf of `owner` (the caller falls back to no owner once it has settled). */
  enter(owner: number | null, name: FetchEntryName, args: unknown[]): void;
  /** Name resolution for the connect-time address check (default: dns.lookup). */
  resolve?: Resolver;
  /** One hop over the network (default: undici with the policy's lookup); tests swap it. */
  send?: Send;
  /** How long a response body may wait for the isolate to pull before it is closed (default 30 s). */
  idleMs?: number;
  /** `env.ASSETS.fetch`: the app's static assets answer (throws when the app has none). */
  assets?: (request: AssetServerRequest) => Promise<AssetServerResponse>;
  /** Bytes of `env.ASSETS` bodies held for the isolate and not yet read (default 64 MiB). */
  assetBodyBytes?: number;
  /** A host socket for an outbound WebSocket (`Upgrade: websocket`); none: such fetches are refused. */
  openSocket?: () => HostSocket | string;
}

interface HostFetch {
  owner: number | null;
  abort: AbortController;
  reader: ReadableStreamDefaultReader<Uint8Array> | null;
  reading: boolean;
  /** Armed while the body waits for a pull. */
  idle: NodeJS.Timeout | null;
  /** Waiting for the isolate's next request-body chunk (a streamed upload). */
  uploadPull: ((bytes: ArrayBuffer | null, error: string) => void) | null;
}

const BODY_IDLE_MS = 30_000;

const REDIRECT_MODES = new Set<string>(["follow", "manual", "error"]);

/** The chunk as a whole ArrayBuffer (undici's may be views into a larger pooled one). */
function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  // A copy made by Uint8Array's own constructor: a Buffer's slice() is a view over the same memory.
  return (whole ? bytes.buffer : new Uint8Array(bytes).buffer) as ArrayBuffer;
}

export class FetchBridge {
  readonly #opts: FetchBridgeOptions;
  readonly #policy: AddressPolicy;
  /** Pings the isolate's outbound WebSockets' servers: one that vanished is cut (the app hears 1006). */
  readonly #heartbeat = new WebSocketHeartbeat();
  readonly #fetches = new Map<number, HostFetch>();
  /** Subrequests used per pending request (or evaluation), with its limit. */
  readonly #budgets = new Map<number, { limit: number; used: number }>();
  #sender: { send: Send; close(): void } | null = null;
  /** `env.ASSETS.fetch`, when the app has assets. */
  readonly #assets: AssetFetcher | null;
  readonly functions: Pick<BridgeFunctions, "fetchStart" | "fetchPull" | "fetchAbort" | "fetchBodyChunk">;

  constructor(opts: FetchBridgeOptions) {
    this.#opts = opts;
    this.#policy = new AddressPolicy(opts.policy ?? DEFAULT_OUTBOUND_POLICY);
    this.#assets = opts.assets ? new AssetFetcher(opts.assets, opts.assetBodyBytes) : null;
    this.functions = {
      fetchStart: (id, method, url, headerBlock, body, redirect, streamedBody, target) =>
        this.#start(id, method, url, headerBlock, body, redirect, streamedBody, target === "assets"),
      fetchBodyChunk: (id, bytes, error) => {
        const f = this.#fetches.get(id);
        const waiting = f?.uploadPull;
        if (!f || !waiting) return;
        f.uploadPull = null;
        waiting(bytes, error);
      },
      fetchPull: (id) => {
        const f = this.#fetches.get(id);
        if (!f) return;
        // The body is read on behalf of whichever request pulls it (as on Workers): a response kept
        // from one request and read in another is charged to the reader, not to background work.
        const reader = this.#opts.owner();
        if (reader !== null && this.#budgets.has(reader)) f.owner = reader;
        if (f.idle) clearTimeout(f.idle);
        f.idle = null;
        this.#pump(id, f);
      },
      fetchAbort: (id) => this.#abort(id),
    };
  }

  /** A request (or evaluation) starts: its fetches count against `limit`. */
  begin(request: number, limit: number): void {
    this.#budgets.set(request, { limit, used: 0 });
  }

  end(request: number): void {
    this.#budgets.delete(request);
  }

  /** Bytes of env.ASSETS bodies held for the isolate and not read yet. */
  get assetBytesHeld(): number {
    return this.#assets?.held ?? 0;
  }

  /** Host fetches not finished yet. */
  get inFlight(): number {
    return this.#fetches.size;
  }

  /** Returns "" when the fetch started, else why it was refused (the isolate rejects with a TypeError). */
  #start(
    id: number,
    method: string,
    url: string,
    headerBlock: string,
    body: ArrayBuffer | null,
    redirect: string,
    streamedBody = false,
    assets = false,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
      // The asset server never touches the network: the address policy is for outbound requests.
      if (!assets) this.#policy.check(parsed);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    if (assets && !this.#assets) return "env.ASSETS: this app has no static assets";
    const owner = this.#opts.owner();
    const budget = owner === null ? undefined : this.#budgets.get(owner);
    if (budget) {
      if (budget.used >= budget.limit) return `too many subrequests: the limit is ${budget.limit} per request`;
      budget.used++;
    } else if (this.#unowned() >= DEFAULT_LIMITS.subrequests) {
      // Outside a request (top level, callbacks after their request answered) only concurrency is bounded.
      return `too many subrequests: ${DEFAULT_LIMITS.subrequests} are already in flight outside a request`;
    }
    const entry: HostFetch = {
      owner: budget ? owner : null,
      abort: new AbortController(),
      reader: null,
      reading: false,
      idle: null,
      uploadPull: null,
    };
    this.#fetches.set(id, entry);
    const headers = decodeHeaderBlock(headerBlock);
    if (!assets && wantsWebSocket(headers)) {
      this.#connect(id, entry, parsed, headers);
      return "";
    }
    const request = {
      method,
      url: parsed.href,
      headers,
      body: streamedBody ? this.#upload(id, entry) : body ? new Uint8Array(body) : null,
      redirect: (REDIRECT_MODES.has(redirect) ? redirect : "follow") as RedirectMode,
      signal: entry.abort.signal,
    };
    const answered =
      this.#assets && assets
        ? this.#assets.fetch(request.method, request.url, request.headers)
        : fetchFollowing(request, this.#policy, this.#opts.send ?? this.#pool().send);
    answered.then(
      (res) => {
        if (this.#fetches.get(id) !== entry) return void res.body?.cancel().catch(() => {});
        entry.reader = res.body?.getReader() ?? null;
        if (entry.reader === null) this.#fetches.delete(id);
        const head = encodeHeaderBlock(res.headers);
        this.#opts.enter(entry.owner, "fetchHead", [
          id,
          res.status,
          res.statusText,
          head,
          res.url,
          res.redirected,
          entry.reader !== null,
        ]);
        this.#park(id, entry);
      },
      (err) => this.#finish(id, entry, describeError(err)),
    );
    return "";
  }

  /**
   * An outbound WebSocket: on 101 the isolate gets a response head with the id of the socket it then
   * accept()s; any other answer is a response without a body; a failure rejects the fetch.
   */
  #connect(id: number, entry: HostFetch, url: URL, headers: string[]): void {
    connectWebSocket(
      {
        url,
        headers,
        policy: this.#policy,
        ...(this.#opts.resolve ? { resolve: this.#opts.resolve } : {}),
        signal: entry.abort.signal,
      },
      {
        open: (ws, head) => {
          const socket = this.#fetches.get(id) === entry ? this.#opts.openSocket?.() : "the fetch was aborted";
          if (socket === undefined || typeof socket === "string") {
            ws.terminate();
            return this.#finish(id, entry, socket ?? "outbound WebSockets are not available here");
          }
          this.#fetches.delete(id);
          joinClient(ws, socket, this.#heartbeat);
          const block = encodeHeaderBlock(head.headers);
          this.#opts.enter(entry.owner, "fetchHead", [
            id,
            101,
            head.statusText,
            block,
            url.href,
            false,
            false,
            socket.id,
          ]);
        },
        refused: (head) => {
          if (this.#fetches.get(id) !== entry) return;
          this.#fetches.delete(id);
          const block = encodeHeaderBlock(head.headers);
          this.#opts.enter(entry.owner, "fetchHead", [id, head.status, head.statusText, block, url.href, false, false]);
        },
        failed: (message) => this.#finish(id, entry, message),
      },
    );
  }

  /**
   * A streamed request body: each time undici wants more, the isolate is entered to read its stream's
   * next chunk (charged to the request), which it hands back through fetchBodyChunk.
   */
  #upload(id: number, entry: HostFetch): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: (controller) =>
        new Promise<void>((resolve) => {
          if (this.#fetches.get(id) !== entry) {
            controller.error(new TypeError("fetch: aborted"));
            return resolve();
          }
          entry.uploadPull = (bytes, error) => {
            if (bytes) controller.enqueue(new Uint8Array(bytes));
            else if (error) controller.error(new TypeError(`fetch: the request body failed: ${error}`));
            else controller.close();
            resolve();
          };
          this.#opts.enter(entry.owner, "fetchBodyPull", [id]);
        }),
    });
  }

  /** The connection pool, made on the first fetch: most isolates never fetch. */
  #pool(): { send: Send; close(): void } {
    this.#sender ??= createSender(this.#policy, this.#opts.resolve);
    return this.#sender;
  }

  #unowned(): number {
    let n = 0;
    for (const f of this.#fetches.values()) if (f.owner === null) n++;
    return n;
  }

  /** Reads one chunk for the isolate, which asked for it with fetchPull; at most one read at a time. */
  #pump(id: number, entry: HostFetch): void {
    const reader = entry.reader;
    if (entry.reading || reader === null) return;
    entry.reading = true;
    reader.read().then(
      ({ done, value }) => {
        entry.reading = false;
        if (this.#fetches.get(id) !== entry) return;
        if (done) return this.#finish(id, entry, null);
        // A byte stream refuses empty chunks: read on instead.
        if (value.byteLength === 0) return this.#pump(id, entry);
        this.#opts.enter(entry.owner, "fetchChunk", [id, exactBuffer(value)]);
        this.#park(id, entry);
      },
      (err) => {
        entry.reading = false;
        this.#finish(id, entry, describeError(err));
      },
    );
  }

  /** After an entry: a body the isolate did not pull more of (queue full, nobody reading) waits, but not forever. */
  #park(id: number, entry: HostFetch): void {
    if (entry.reading || entry.idle || entry.reader === null || this.#fetches.get(id) !== entry) return;
    const ms = this.#opts.idleMs ?? BODY_IDLE_MS;
    entry.idle = setTimeout(() => {
      entry.idle = null;
      entry.abort.abort();
      // An asset body is not tied to the signal: canceling it releases its bytes.
      entry.reader?.cancel().catch(() => {});
      this.#finish(id, entry, `fetch: the response body was not read for ${ms / 1000} s, so its connection was closed`);
    }, ms);
    entry.idle.unref();
  }

  #finish(id: number, entry: HostFetch, error: string | null): void {
    if (this.#fetches.get(id) !== entry) return;
    this.#fetches.delete(id);
    if (entry.idle) clearTimeout(entry.idle);
    this.#opts.enter(entry.owner, "fetchEnd", [id, error]);
  }

  /** The isolate gave up on this fetch (its signal aborted, its body was canceled): nothing more is entered. */
  #abort(id: number): void {
    const entry = this.#fetches.get(id);
    if (!entry) return;
    this.#fetches.delete(id);
    if (entry.idle) clearTimeout(entry.idle);
    entry.abort.abort();
    entry.reader?.cancel().catch(() => {});
    const upload = entry.uploadPull;
    entry.uploadPull = null;
    upload?.(null, "aborted");
  }

  /** The isolate is going away: every host fetch stops, and its connections close. */
  abortAll(): void {
    for (const id of [...this.#fetches.keys()]) this.#abort(id);
    this.#budgets.clear();
    this.#sender?.close();
    this.#sender = null;
  }
}
