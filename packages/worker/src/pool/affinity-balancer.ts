/**
 * Sends an app's requests to the thread that holds its isolate warm (chosen by hashing the version id
 * over the threads), spilling to the least busy thread only when that one is saturated.
 */
import { Piscina } from "piscina";

type Balancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>["loadBalancer"]>;
type Worker = Parameters<Balancer>[1][number];

export interface AffinityTask {
  [key: symbol]: { affinity: string };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function affinityBalancer(maxPerThread: number): Balancer {
  return (task, workers) => {
    const usable = workers.filter((w) => !w.terminating && !w.destroyed).sort((a, b) => a.id - b.id);
    if (usable.length === 0) return null;
    const key = (task as unknown as AffinityTask)[Piscina.queueOptionsSymbol]?.affinity;
    if (key !== undefined) {
      const preferred = usable[hash(key) % usable.length] as Worker;
      if (preferred.currentUsage < maxPerThread) return preferred;
    }
    let best: Worker | null = null;
    for (const w of usable) {
      if (w.currentUsage < maxPerThread && (!best || w.currentUsage < best.currentUsage)) best = w;
    }
    return best;
  };
}
