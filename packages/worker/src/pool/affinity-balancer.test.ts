import { Piscina } from "piscina";
import { describe, expect, it } from "vitest";
import { affinityBalancer } from "./affinity-balancer.js";

type FakeWorker = {
  id: number;
  currentUsage: number;
  terminating: boolean;
  destroyed: boolean;
  isRunningAbortableTask: boolean;
};
const workers = (...usage: number[]): FakeWorker[] =>
  usage.map((u, i) => ({
    id: i + 1,
    currentUsage: u,
    terminating: false,
    destroyed: false,
    isRunningAbortableTask: false,
  }));
const task = (affinity: string) => ({ [Piscina.queueOptionsSymbol]: { affinity } }) as never;

describe("affinityBalancer", () => {
  const pick = affinityBalancer(4);

  it("sends every task of one version to the same thread", () => {
    const ws = workers(0, 0, 0);
    const chosen = new Set(
      Array.from({ length: 10 }, () => (pick(task("app@1"), ws as never) as FakeWorker | null)?.id),
    );
    expect(chosen.size).toBe(1);
  });

  it("spreads different versions over threads", () => {
    const ws = workers(0, 0, 0, 0);
    const ids = new Set(Array.from({ length: 40 }, (_, i) => (pick(task(`app-${i}@1`), ws as never) as FakeWorker).id));
    expect(ids.size).toBeGreaterThan(1);
  });

  it("spills to the least busy thread when the preferred one is saturated, and queues when all are", () => {
    const ws = workers(0, 0, 0);
    const preferred = pick(task("hot@1"), ws as never) as FakeWorker;
    preferred.currentUsage = 4;
    const others = ws.filter((w) => w !== preferred);
    (others[0] as FakeWorker).currentUsage = 3;
    (others[1] as FakeWorker).currentUsage = 1;
    expect((pick(task("hot@1"), ws as never) as FakeWorker).id).toBe((others[1] as FakeWorker).id);
    for (const w of ws) w.currentUsage = 4;
    expect(pick(task("hot@1"), ws as never)).toBeNull();
  });
});
