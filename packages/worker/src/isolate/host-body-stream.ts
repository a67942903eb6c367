/**
 * The host's end of a response body an app streams out (respondStream/respondChunk/respondEnd), with
 * backpressure: chunks queue here until the reader takes them, and once HIGH_WATER bytes are queued
 * `push` answers false, which tells the isolate to stop producing until `resume` is called (when the
 * reader has taken the queue below LOW_WATER). So a client that reads slowly, or not at all, holds at
 * most about HIGH_WATER bytes of an app's stream in the host.
 */
export const HIGH_WATER = 64 * 1024;
export const LOW_WATER = 16 * 1024;

export type BodyRead = ArrayBuffer | { end: true; error: string | null };

export class HostBodyStream {
  #queue: ArrayBuffer[] = [];
  #queued = 0;
  #ended: { error: string | null } | null = null;
  #paused = false;
  #wake: (() => void) | null = null;
  readonly #resume: () => void;
  readonly #cancel: () => void;

  constructor(cancel: () => void, resume: () => void = () => {}) {
    this.#cancel = cancel;
    this.#resume = resume;
  }

  /** A chunk from the app; false: the queue is full, produce no more until resumed. */
  push(bytes: ArrayBuffer): boolean {
    if (this.#ended) return false;
    this.#queue.push(bytes);
    this.#queued += bytes.byteLength;
    this.#wake?.();
    if (this.#queued >= HIGH_WATER) this.#paused = true;
    return !this.#paused;
  }

  end(error: string | null): void {
    if (this.#ended) return;
    this.#ended = { error };
    this.#wake?.();
  }

  /** Bytes waiting for the reader. */
  get queued(): number {
    return this.#queued;
  }

  /** The next chunk, or the end, once there is one. One reader at a time. */
  async read(): Promise<BodyRead> {
    while (this.#queue.length === 0 && !this.#ended) await new Promise<void>((r) => (this.#wake = r));
    this.#wake = null;
    const bytes = this.#queue.shift();
    if (bytes === undefined) return { end: true, error: (this.#ended as { error: string | null }).error };
    this.#queued -= bytes.byteLength;
    if (this.#paused && this.#queued <= LOW_WATER && !this.#ended) {
      this.#paused = false;
      this.#resume();
    }
    return bytes;
  }

  cancel(): void {
    if (this.#ended) return;
    this.#ended = { error: "cancelled" };
    this.#queue = [];
    this.#queued = 0;
    this.#wake?.();
    this.#cancel();
  }
}
