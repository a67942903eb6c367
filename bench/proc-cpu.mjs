// CPU time of a whole process tree from /proc: a server's own process, its threads and every
// descendant (`nano start` forks runtime and checker processes).
import { readdirSync, readFileSync } from "node:fs";

const TICK_US = 1e6 / 100; // CLK_TCK is 100 on Linux

function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // Fields from the state on: ppid is 1, utime 11, stime 12 (user + system of all threads).
    return { ppid: Number(f[1]), us: (Number(f[11]) + Number(f[12])) * TICK_US };
  } catch {
    return null; // gone between the listing and the read
  }
}

/** CPU µs (user + system) of `root` and each of its descendants, by pid. */
export function treeCpu(root) {
  const all = new Map();
  const children = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(name);
    if (!s) continue;
    all.set(Number(name), s);
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), Number(name)]);
  }
  const out = new Map();
  const walk = (pid) => {
    const s = all.get(pid);
    if (!s || out.has(pid)) return;
    out.set(pid, s.us);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return out;
}

/** CPU µs the tree spent between two `treeCpu` snapshots (a process born in between counts whole). */
export function cpuSpent(before, after) {
  let us = 0;
  for (const [pid, t] of after) us += t - (before.get(pid) ?? 0);
  return us;
}
