import { describe, expect, it } from "vitest";
import { LogRing } from "./log-ring.js";

const rec = (app: string, msg: string, time = 0) => ({ time, app, level: "info", msg });

describe("LogRing", () => {
  it("keeps the newest records per app, by count", () => {
    const ring = new LogRing({ records: 3 });
    for (let i = 0; i < 5; i++) ring.add(rec("a", `m${i}`));
    expect(ring.recent("a").map((r) => r.msg)).toEqual(["m2", "m3", "m4"]);
    expect(ring.recent("a", 1).map((r) => r.msg)).toEqual(["m4"]);
  });

  it("bounds each app's ring by characters", () => {
    const ring = new LogRing({ appChars: 100 });
    for (let i = 0; i < 10; i++) ring.add(rec("a", "x".repeat(30)));
    expect(ring.recent("a")).toHaveLength(3);
    expect(ring.totalChars).toBe(90);
  });

  it("bounds all rings together, taking from the largest first", () => {
    const ring = new LogRing({ appChars: 1_000, totalChars: 200 });
    ring.add(rec("quiet", "q".repeat(50)));
    for (let i = 0; i < 20; i++) ring.add(rec("loud", "l".repeat(40)));
    expect(ring.totalChars).toBeLessThanOrEqual(200);
    expect(ring.recent("quiet")).toHaveLength(1);
    expect(ring.recent("loud").length).toBeGreaterThan(0);
    ring.drop("loud");
    expect(ring.totalChars).toBe(50);
  });

  it("tells followers of every new record", () => {
    const ring = new LogRing();
    const seen: string[] = [];
    const stop = ring.follow("a", (r) => seen.push(r.msg));
    ring.add(rec("a", "one"));
    ring.add(rec("b", "other app"));
    stop();
    ring.add(rec("a", "two"));
    expect(seen).toEqual(["one"]);
  });
});
