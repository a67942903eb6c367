/**
 * The host's end of a response body an app streams out (respondStream/respondChunk/respondEnd). Chunks
 * that arrive before anyone reads are queued; `cancel` tells the isolate to stop producing.
 */
export interface BodySink {
  chunk(bytes: ArrayBuffer): void;
  /** null: the body is complete; a string: it failed with this message. */
  end(error: string | null): void;
}

export class HostBodyStream {
  #queue: ArrayBuffer[] = [];
  #ended: { error: string | null } | null = null;
  #sink: BodySink | null = null;
  readonly #cancel: () => void;

  constructor(cancel: () => void) {
    this.#cancel = cancel;
  }

  push(bytes: ArrayBuffer): void {
    if (this.#sink) this.#sink.chunk(bytes);
    else this.#queue.push(bytes);
  }

  end(error: string | null): void {
    if (this.#ended) return;
    this.#ended = { error };
    this.#sink?.end(error);
  }

  /** Delivers queued and later chunks to `sink`. */
  pipe(sink: BodySink): void {
    this.#sink = sink;
    for (const b of this.#queue.splice(0)) sink.chunk(b);
    if (this.#ended) sink.end(this.#ended.error);
  }

  cancel(): void {
    if (!this.#ended) this.#cancel();
  }
}
