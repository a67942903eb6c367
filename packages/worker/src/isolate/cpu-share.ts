/**
 * How much CPU a thread's isolate entries really get per unit of wall time. isolated-vm can only stop
 * an entry on a wall-clock timeout, but budgets are CPU time: on an idle machine an entry gets the
 * whole CPU and a runaway loop is stopped just past its budget; when threads outnumber free cores the
 * share drops and the timeout stretches by the same factor, so a busy machine does not kill requests
 * that used less CPU than their budget. One per thread, shared by its isolates.
 */
const MIN_SHARE = 0.25;
/** Entries shorter than this say nothing about contention (timer noise). */
const MIN_SAMPLE_NS = 2_000_000n;
/** Slack for the timer itself and the entry's own overhead. */
const SLACK_MS = 5;

export class CpuShare {
  #share = 1;

  get value(): number {
    return this.#share;
  }

  /** Records one entry: CPU the isolate used and the wall time it took. */
  observe(cpuNs: bigint, wallNs: bigint): void {
    if (wallNs < MIN_SAMPLE_NS) return;
    const sample = Math.min(1, Math.max(MIN_SHARE, Number(cpuNs) / Number(wallNs)));
    this.#share = this.#share * 0.7 + sample * 0.3;
  }

  /** The wall-clock timeout that lets an entry use `remainingMs` of CPU at the current share. */
  timeoutFor(remainingMs: number): number {
    return Math.ceil(remainingMs / this.#share) + SLACK_MS;
  }
}
