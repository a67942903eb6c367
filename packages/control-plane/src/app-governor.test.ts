import { describe, expect, it } from "vitest";
import { AppGovernor } from "./app-governor.js";

function governor(over: Partial<ConstructorParameters<typeof AppGovernor>[0]> = {}) {
  const clock = { t: 0 };
  const g = new AppGovernor({
    maxInflight: 3,
    throttleKills: 3,
    throttleWindowMs: 10_000,
    throttleCpuMsPerS: 100,
    now: () => clock.t,
    ...over,
  });
  return { g, clock };
}

describe("AppGovernor", () => {
  it("bounds one app's requests in flight, and only that app's", () => {
    const { g } = governor();
    for (let i = 0; i < 3; i++) expect(g.admit("greedy")).toBeNull();
    const refused = g.admit("greedy");
    expect(refused?.code).toBe("NANO_ERR_APP_OVERLOADED");
    expect(refused?.retryAfter).toBe(1);
    expect(g.admit("other")).toBeNull();
    g.release("greedy", 1, undefined);
    expect(g.admit("greedy")).toBeNull();
  });

  it("counts kills and CPU of work that was never admitted (WebSocket messages) towards the throttle", () => {
    const { g } = governor();
    g.charge("sockets", 5, undefined);
    expect(g.isThrottled("sockets")).toBe(false);
    for (let i = 0; i < 3; i++) g.charge("sockets", 100, "NANO_ERR_CPU_LIMIT");
    expect(g.isThrottled("sockets")).toBe(true);
    expect(g.admit("sockets")?.code).toBe("NANO_ERR_APP_THROTTLED");
    // Charging never takes an in-flight slot: another app is untouched.
    expect(g.admit("other")).toBeNull();
  });

  it("throttles an app after repeated CPU-limit kills, to a CPU rate, with Retry-After", () => {
    const { g, clock } = governor();
    for (let i = 0; i < 2; i++) {
      expect(g.admit("loop")).toBeNull();
      g.release("loop", 50, "NANO_ERR_CPU_LIMIT");
    }
    expect(g.isThrottled("loop")).toBe(false);
    expect(g.admit("loop")).toBeNull();
    g.release("loop", 50, "NANO_ERR_CPU_LIMIT");
    expect(g.isThrottled("loop")).toBe(true);
    // The bucket starts empty and the third kill's 50 ms are a debt: refused, retry in a second.
    const refused = g.admit("loop");
    expect(refused?.code).toBe("NANO_ERR_APP_THROTTLED");
    expect(refused?.status).toBe(503);
    expect(refused?.retryAfter).toBe(1);
    // 100 ms/s: after 0.6 s the debt is paid and one request may run.
    clock.t += 600;
    expect(g.admit("loop")).toBeNull();
    g.release("loop", 50, "NANO_ERR_CPU_LIMIT");
    expect(g.admit("loop")?.code).toBe("NANO_ERR_APP_THROTTLED");
    // Other apps are never throttled for it.
    expect(g.admit("healthy")).toBeNull();
  });

  it("lifts the throttle when the window no longer holds enough kills", () => {
    const { g, clock } = governor();
    for (let i = 0; i < 3; i++) {
      g.admit("loop");
      g.release("loop", 50, "NANO_ERR_CPU_LIMIT");
    }
    expect(g.admit("loop")?.code).toBe("NANO_ERR_APP_THROTTLED");
    clock.t += 10_001;
    expect(g.isThrottled("loop")).toBe(false);
    expect(g.admit("loop")).toBeNull();
  });

  it("never throttles an app that uses a lot of CPU within its budget", () => {
    const { g } = governor();
    for (let i = 0; i < 100; i++) {
      expect(g.admit("busy")).toBeNull();
      g.release("busy", 45, undefined);
    }
    expect(g.isThrottled("busy")).toBe(false);
  });
});
