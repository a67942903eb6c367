import { describe, expect, it } from "vitest";
import { QuarantinePolicy, RestartBackoff } from "./crash-policy.js";

describe("RestartBackoff", () => {
  it("restarts at once after one death, then backs off while the slot keeps dying, and forgets", () => {
    const b = new RestartBackoff();
    expect(b.died(0)).toBe(0);
    expect(b.died(1_000)).toBe(250);
    expect(b.died(2_000)).toBe(500);
    expect(b.died(3_000)).toBe(1_000);
    for (let t = 4_000; t < 12_000; t += 1_000) b.died(t);
    expect(b.died(12_000)).toBe(10_000);
    // Thirty quiet seconds later a death is a first death again.
    expect(b.died(60_000)).toBe(0);
  });
});

describe("QuarantinePolicy", () => {
  const policy = () => new QuarantinePolicy({ crashes: 3, windowMs: 60_000, cooloffMs: 60_000 });

  it("quarantines after the third crash within the window, not before", () => {
    const p = policy();
    expect(p.crashed("a", 0, null)).toBeNull();
    expect(p.crashed("a", 10_000, null)).toBeNull();
    expect(p.crashed("b", 15_000, null)).toBeNull();
    expect(p.crashed("a", 20_000, null)).toEqual({
      untilMs: 80_000,
      level: 1,
      reason: "3 crashes of its runtime processes within 60 s",
    });
    // The count starts over after a quarantine.
    expect(p.crashed("a", 21_000, null)).toBeNull();
  });

  it("lets old crashes fall out of the window", () => {
    const p = policy();
    p.crashed("a", 0, null);
    p.crashed("a", 30_000, null);
    expect(p.crashed("a", 61_000, null)).toBeNull();
    expect(p.crashed("a", 62_000, null)).not.toBeNull();
  });

  it("doubles the cool-off for a quarantine in a row, up to an hour, and forgets old ones", () => {
    const p = policy();
    const q = (now: number, prev: Parameters<QuarantinePolicy["crashed"]>[2]) => {
      p.crashed("a", now, prev);
      p.crashed("a", now, prev);
      return p.crashed("a", now, prev);
    };
    const first = q(0, null);
    const second = q(100_000, { ...(first as NonNullable<typeof first>), since: "" });
    expect(second).toMatchObject({ level: 2, untilMs: 100_000 + 120_000 });
    const tenth = q(200_000, { untilMs: 150_000, level: 9, reason: "", since: "" });
    expect(tenth).toMatchObject({ level: 10, untilMs: 200_000 + 3_600_000 });
    const later = q(10 ** 9, { untilMs: 150_000, level: 9, reason: "", since: "" });
    expect(later).toMatchObject({ level: 1 });
  });
});
