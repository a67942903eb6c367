/** The wall-clock guard's stretch: an idle machine stops a runaway just past its budget, a busy one later. */
import { describe, expect, it } from "vitest";
import { CpuShare } from "./cpu-share.js";

const machine = (load: number, cores = 2) => ({ load: () => load, cores });

describe("CpuShare", () => {
  it("gives an entry its budget (plus slack) on an idle machine", () => {
    expect(new CpuShare(machine(0.5)).timeoutFor(50)).toBe(55);
  });

  it("stretches the guard by what the run queue leaves a thread, before any entry measured it", () => {
    // Load 8 on 2 cores: a runnable thread gets about a quarter of a core.
    expect(new CpuShare(machine(8)).timeoutFor(50)).toBe(205);
    expect(new CpuShare(machine(3)).timeoutFor(50)).toBe(80);
  });

  it("never stretches past four times the budget, however loaded", () => {
    expect(new CpuShare(machine(400)).timeoutFor(50)).toBe(205);
  });

  it("follows the thread's own long entries on a machine that looks idle", () => {
    const share = new CpuShare(machine(0));
    for (let i = 0; i < 20; i++) share.observe(5_000_000n, 10_000_000n);
    expect(share.value).toBeCloseTo(0.5, 2);
    // Entries under 2 ms say nothing about contention.
    share.observe(100n, 1_900_000n);
    expect(share.value).toBeCloseTo(0.5, 2);
  });
});
