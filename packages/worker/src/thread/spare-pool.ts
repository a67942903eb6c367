/**
 * A thread's spare isolates: restored from the snapshot with their bridges bound, waiting for cold
 * apps. Made one at a time and only while the thread runs no request (making one holds the thread
 * ~8 ms: V8 deserializes the snapshot synchronously), so no request waits on it. How many are kept
 * follows the cold-start rate. Whether one is ready or being made is published in a SharedArrayBuffer
 * the pool reads to place never-seen apps (contract.ts SPARE_STATE).
 */
import { SPARE_STATE } from "../contract.js";
import type { RuntimeIsolate } from "../isolate/runtime-isolate.js";

export interface SparePoolOptions {
  /** Spares kept when no cold starts come in. */
  base: number;
  /** The most the cold-start rate may ask for (none at all when `base` is 0). */
  max: number;
  make(): Promise<RuntimeIsolate>;
  /** False while the thread runs a request: spares are made only when it runs none. */
  idle(): boolean;
}

export class SparePool {
  readonly #opts: SparePoolOptions;
  readonly #max: number;
  /** Each spare with the heap it held when made (it runs nothing until taken). */
  readonly #spares: { isolate: RuntimeIsolate; bytes: number }[] = [];
  /** Times of this thread's recent cold starts (the last second). */
  readonly #coldTimes: number[] = [];
  #refill: NodeJS.Immediate | null = null;
  /** A spare whose context is being restored off the thread. */
  #making = false;
  #closed = false;
  readonly state = new SharedArrayBuffer(SPARE_STATE.length * 4);
  readonly #state = new Int32Array(this.state);

  constructor(opts: SparePoolOptions) {
    this.#opts = { ...opts, base: Math.max(0, opts.base) };
    this.#max = this.#opts.base === 0 ? 0 : Math.max(this.#opts.base, opts.max);
    this.refill();
  }

  get count(): number {
    return this.#spares.length;
  }

  /** Heap the spares hold. */
  get bytes(): number {
    let n = 0;
    for (const s of this.#spares) n += s.bytes;
    return n;
  }

  /** Spares wanted now: the base, or as many as cold starts came in the last second (at most max). */
  get target(): number {
    const since = Date.now() - 1_000;
    while (this.#coldTimes.length > 0 && (this.#coldTimes[0] as number) < since) this.#coldTimes.shift();
    return Math.min(this.#max, Math.max(this.#opts.base, this.#coldTimes.length));
  }

  /** A cold start happened (it raises the target while they come fast). */
  coldStart(): void {
    this.#coldTimes.push(Date.now());
  }

  /** A spare for a cold app, if one is ready; its replacement is made when the thread is idle. */
  take(): RuntimeIsolate | undefined {
    const spare = this.#spares.shift();
    if (!spare) return undefined;
    this.#publish();
    this.refill();
    return spare.isolate;
  }

  /** Tops the spares up, one at a time; a request that finishes calls it again. */
  refill(): void {
    if (this.#refill || this.#making || this.#closed) return;
    if (!this.#opts.idle() || this.#spares.length >= this.target) return;
    this.#refill = setImmediate(() => {
      this.#refill = null;
      if (!this.#opts.idle() || this.#spares.length >= this.target) return;
      this.#making = true;
      this.#publish();
      this.#opts.make().then(
        (isolate) => {
          this.#making = false;
          if (this.#closed) return isolate.dispose();
          this.#spares.push({ isolate, bytes: isolate.heapBytes() });
          this.#publish();
          this.refill();
        },
        () => {
          // Out of memory, most likely: the next request makes its own isolate and tries again after it.
          this.#making = false;
          this.#publish();
        },
      );
    });
  }

  #publish(): void {
    Atomics.store(this.#state, SPARE_STATE.spares, this.#spares.length);
    Atomics.store(this.#state, SPARE_STATE.making, this.#making ? 1 : 0);
  }

  close(): void {
    this.#closed = true;
    if (this.#refill) clearImmediate(this.#refill);
    for (const s of this.#spares.splice(0)) s.isolate.dispose();
  }
}
