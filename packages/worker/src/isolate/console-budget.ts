/**
 * Bounds on what an app's console may make the host hold: each record is cut at MAX_RECORD_CHARS
 * (and says so), a request keeps at most MAX_REQUEST_CHARS of records, and an isolate may log
 * CHARS_PER_S per second on average (a token bucket with one second of burst). Past a bound records
 * are dropped and counted, never queued.
 */
export const MAX_RECORD_CHARS = 16 * 1024;
export const MAX_REQUEST_CHARS = 256 * 1024;
export const CHARS_PER_S = 1024 * 1024;

export function truncateRecord(text: string): string {
  if (text.length <= MAX_RECORD_CHARS) return text;
  return `${text.slice(0, MAX_RECORD_CHARS)}… [truncated: ${text.length - MAX_RECORD_CHARS} more characters]`;
}

/** One isolate's console rate. */
export class ConsoleRate {
  #tokens = CHARS_PER_S;
  #at = performance.now();

  /** Charges `chars`; false when the isolate is over its rate (the record is dropped). */
  take(chars: number): boolean {
    const now = performance.now();
    this.#tokens = Math.min(CHARS_PER_S, this.#tokens + ((now - this.#at) / 1000) * CHARS_PER_S);
    this.#at = now;
    if (this.#tokens < chars) return false;
    this.#tokens -= chars;
    return true;
  }
}
