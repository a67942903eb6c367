/**
 * The hot path to the worker threads. Piscina posts every task and every answer as a message of its
 * own and wakes the other thread for each (~50 µs of CPU per request, measured); here each thread
 * has one channel, the requests of one event-loop turn cross it as one message and the answers
 * finished in one turn come back as one. Each answer still comes back as soon as it is ready, so a
 * slow request never holds back the others sent with it. Piscina keeps the threads' lifecycle (it
 * starts them, replaces one that dies, closes them), and takes the requests the channels cannot: all
 * threads busy with `maxPerThread` requests, or no channel connected yet.
 */
import type { MessagePort } from "node:worker_threads";
import type { Piscina } from "piscina";
import {
  type ChannelAnswer,
  type ChannelRequest,
  type ConnectResult,
  type ConnectTask,
  type FetchResult,
  type RequestWire,
  SPARE_STATE,
  TRANSFER_MIN_BYTES,
  type VersionWire,
} from "../contract.js";

interface Channel {
  threadId: number;
  port: MessagePort;
  /** The thread's spare state (contract.ts SPARE_STATE), or null from a thread that shares none. */
  state: Int32Array | null;
  inflight: number;
  pending: Map<number, (result: FetchResult) => void>;
  outgoing: ChannelRequest[];
  transfer: ArrayBuffer[];
  armed: boolean;
}

/** FNV-1a: the same app lands on the same thread, where its isolate is warm. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Apps whose thread this pool remembers; past it, the longest-placed are forgotten. */
const MAX_PLACED = 16_384;

/** Connect rounds tried while some thread has no channel yet. */
const CONNECT_ATTEMPTS = 10;

function failed(message: string): FetchResult {
  return { response: null, error: { code: "NANO_ERR_INTERNAL", message }, logs: [], cpuMs: 0, coldStart: false };
}

/** Where a never-seen app starts: a thread ready to serve it from a spare at once, else `byHash`. */
function coldHome(channels: Channel[], byHash: Channel, maxPerThread: number): Channel {
  const ready = (c: Channel) =>
    c.inflight < maxPerThread &&
    c.state !== null &&
    Atomics.load(c.state, SPARE_STATE.making) === 0 &&
    Atomics.load(c.state, SPARE_STATE.spares) > 0;
  if (ready(byHash)) return byHash;
  let best: Channel | null = null;
  for (const c of channels) if (ready(c) && (!best || c.inflight < best.inflight)) best = c;
  return best ?? byHash;
}

export class ThreadChannels {
  readonly #piscina: Piscina;
  readonly #threads: number;
  readonly #maxPerThread: number;
  /** Connected channels, by thread id (sorted when chosen from). */
  #channels: Channel[] = [];
  /** The thread each app (version) was first sent to, where it is warm (or was, before an eviction). */
  readonly #placed = new Map<string, Channel>();
  #nextId = 0;
  #closing = false;
  #connecting = false;
  #drained: (() => void) | null = null;

  constructor(piscina: Piscina, threads: number, maxPerThread: number) {
    this.#piscina = piscina;
    this.#threads = threads;
    this.#maxPerThread = maxPerThread;
  }

  /**
   * Asks every thread for its channel (again after one died); threads that gave theirs answer null.
   * While threads are still starting, Piscina may hand two connect tasks to the first one ready: the
   * round is then tried again, a few times, until every thread has a channel.
   */
  async connect(attempt = 0): Promise<void> {
    if (this.#connecting || this.#closing) return;
    this.#connecting = true;
    try {
      const task: ConnectTask = { kind: "connect", arrived: new SharedArrayBuffer(4), of: this.#threads };
      const results = (await Promise.all(
        Array.from({ length: this.#threads }, () => this.#piscina.run(task)),
      )) as ConnectResult[];
      for (const r of results) if (r.port) this.#add(r.threadId, r.port, r.state);
    } catch {
      // The pool is closing, or a thread died while connecting: Piscina carries the requests meanwhile.
    } finally {
      this.#connecting = false;
    }
    if (this.#channels.length < this.#threads && !this.#closing && attempt < CONNECT_ATTEMPTS) {
      setTimeout(() => void this.connect(attempt + 1), 200).unref();
    }
  }

  #add(threadId: number, port: MessagePort, state: SharedArrayBuffer | null): void {
    if (this.#closing) {
      port.close();
      return;
    }
    const channel: Channel = {
      threadId,
      port,
      state: state ? new Int32Array(state) : null,
      inflight: 0,
      pending: new Map(),
      outgoing: [],
      transfer: [],
      armed: false,
    };
    port.on("message", (answers: ChannelAnswer[]) => {
      for (const a of answers) {
        const resolve = channel.pending.get(a.id);
        if (!resolve) continue;
        channel.pending.delete(a.id);
        channel.inflight--;
        resolve(a.result ?? failed(a.error ?? "the worker thread failed"));
      }
      // An idle channel does not keep the process alive; one with requests out does.
      if (channel.inflight === 0) port.unref();
      this.#checkDrained();
    });
    // The thread is gone (Piscina replaces it): its requests fail, and the new thread is asked for its channel.
    port.once("close", () => {
      this.#channels = this.#channels.filter((c) => c !== channel);
      for (const [key, c] of this.#placed) if (c === channel) this.#placed.delete(key);
      for (const resolve of channel.pending.values()) resolve(failed("the worker thread stopped"));
      channel.pending.clear();
      channel.inflight = 0;
      this.#checkDrained();
      if (!this.#closing) setTimeout(() => void this.connect(), 100).unref();
    });
    port.unref();
    this.#channels = [...this.#channels, channel].sort((a, b) => a.threadId - b.threadId);
  }

  /** Threads connected by a channel. */
  get connected(): number {
    return this.#channels.length;
  }

  /** The request's answer through a channel, or null when none can take it now. */
  fetch(version: VersionWire, request: RequestWire): Promise<FetchResult> | null {
    const channel = this.#choose(version.id);
    if (!channel) return null;
    const id = this.#nextId++;
    if (channel.inflight++ === 0) channel.port.ref();
    const answer = new Promise<FetchResult>((resolve) => channel.pending.set(id, resolve));
    channel.outgoing.push({ id, task: { kind: "fetch", version, request } });
    if (request.body && request.body.byteLength >= TRANSFER_MIN_BYTES) channel.transfer.push(request.body);
    if (!channel.armed) {
      channel.armed = true;
      setImmediate(() => this.#flush(channel));
    }
    return answer;
  }

  #flush(channel: Channel): void {
    channel.armed = false;
    const batch = channel.outgoing;
    const transfer = channel.transfer;
    channel.outgoing = [];
    channel.transfer = [];
    try {
      channel.port.postMessage(batch, transfer);
    } catch (err) {
      for (const { id } of batch) {
        channel.pending.get(id)?.(failed(String(err)));
        channel.pending.delete(id);
        channel.inflight--;
      }
    }
  }

  /**
   * The app's thread when it has room, else the least busy one with room; null when all are full. An
   * app this pool has not sent anywhere yet goes to a thread with a spare ready that is not busy
   * making one (~8 ms), so its first request does not wait behind that; failing that, to its hash's.
   */
  #choose(key: string): Channel | null {
    const channels = this.#channels;
    if (this.#closing || channels.length === 0) return null;
    let home = this.#placed.get(key);
    if (home === undefined) {
      home = coldHome(channels, channels[hash(key) % channels.length] as Channel, this.#maxPerThread);
      if (this.#placed.size >= MAX_PLACED) this.#placed.delete(this.#placed.keys().next().value as string);
      this.#placed.set(key, home);
    }
    if (home.inflight < this.#maxPerThread) return home;
    let best: Channel | null = null;
    for (const c of channels) if (c.inflight < this.#maxPerThread && (!best || c.inflight < best.inflight)) best = c;
    return best;
  }

  /** Takes no more requests; resolves once those sent have been answered. */
  drain(): Promise<void> {
    this.#closing = true;
    return new Promise((resolve) => {
      this.#drained = resolve;
      this.#checkDrained();
    });
  }

  #checkDrained(): void {
    if (!this.#drained || this.#channels.some((c) => c.pending.size > 0)) return;
    for (const c of this.#channels) c.port.close();
    this.#channels = [];
    this.#drained();
    this.#drained = null;
  }
}
