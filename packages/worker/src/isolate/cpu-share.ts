/**
 * How much CPU a thread's isolate entries really get per unit of wall time. isolated-vm can only stop
 * an entry on a wall-clock timeout, but budgets are CPU time: on an idle machine an entry gets the
 * whole CPU and a runaway loop is stopped just past its budget; when threads outnumber free cores the
 * share drops and the timeout stretches by the same factor, so a busy machine does not kill requests
 * that used less CPU than their budget. One per thread, shared by its isolates.
 *
 * Two estimates, the lower wins: what this thread's own long entries got lately, and what the
 * machine's run queue leaves each runnable thread (cores / load average). The second matters for the
 * first long entry after a quiet spell (a cold app's first request): short entries say nothing, so
 * the thread's own estimate may still be that of an idle machine. Either way the timeout stretches at
 * most 1 / MIN_SHARE times, which bounds what a runaway loop can take.
 */
import { availableParallelism, loadavg } from "node:os";

const MIN_SHARE = 0.25;
/** Entries shorter than this say nothing about contention (timer noise). */
const MIN_SAMPLE_NS = 2_000_000n;
/** Slack for the timer itself and the entry's own overhead. */
const SLACK_MS = 5;
/** How often the load average is read again (it changes every few seconds). */
const LOAD_EVERY_MS = 1_000;

export interface MachineLoad {
  /** Runnable threads, averaged over the last minute. */
  load(): number;
  cores: number;
}

const SYSTEM_LOAD: MachineLoad = { load: () => loadavg()[0] ?? 0, cores: availableParallelism() };

export class CpuShare {
  #share = 1;
  readonly #machine: MachineLoad;
  #machineShare = 1;
  #machineReadAt = Number.NEGATIVE_INFINITY;

  constructor(machine: MachineLoad = SYSTEM_LOAD) {
    this.#machine = machine;
  }

  get value(): number {
    return Math.min(this.#share, this.#machineNow());
  }

  /** Records one entry: CPU the isolate used and the wall time it took. */
  observe(cpuNs: bigint, wallNs: bigint): void {
    if (wallNs < MIN_SAMPLE_NS) return;
    const sample = Math.min(1, Math.max(MIN_SHARE, Number(cpuNs) / Number(wallNs)));
    this.#share = this.#share * 0.7 + sample * 0.3;
  }

  /** The wall-clock timeout that lets an entry use `remainingMs` of CPU at the current share. */
  timeoutFor(remainingMs: number): number {
    return Math.ceil(remainingMs / this.value) + SLACK_MS;
  }

  #machineNow(): number {
    const now = performance.now();
    if (now - this.#machineReadAt >= LOAD_EVERY_MS) {
      this.#machineReadAt = now;
      const load = this.#machine.load();
      this.#machineShare = load <= this.#machine.cores ? 1 : Math.max(MIN_SHARE, this.#machine.cores / load);
    }
    return this.#machineShare;
  }
}
