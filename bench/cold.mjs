// Cold first requests, printed: N never-seen apps (default 200) on one `nano start`, each requested
// once, back to back, by one client: first-request latency at the client (p50/p99), the isolate-side
// start time (spare or new isolate + the app's code), how many cold starts found a spare ready, and
// one warm app's requests for comparison within the run.
// Usage: scripts/bench cold [--apps 200]
import { parseArgs } from "node:util";
import { deployApps, failures, pct, startServer, timedGet } from "./many-apps.mjs";

const { values } = parseArgs({ options: { apps: { type: "string", default: "200" } } });
const apps = Number(values.apps);

const server = await startServer();
const names = Array.from({ length: apps }, (_, i) => `c${i}`);
await deployApps(server, names);
await new Promise((r) => setTimeout(r, 3000)); // every thread's spares made, as on a server at rest
const first = [];
for (const name of names) first.push(await timedGet(server, name));
// One app, warm, as many times: what the machine's load adds to any request, in the same run. (The
// same apps again would be cold too: 200 of them outgrow the default warm budget per thread.)
const warm = [];
for (const _ of names) warm.push(await timedGet(server, names[0] ?? ""));
await new Promise((r) => setTimeout(r, 1500)); // the threads' last stats reported
const starts = { spare: 0, fresh: 0, ms: 0 };
for (const p of await server.processes()) {
  starts.spare += p.isolates?.starts.spare ?? 0;
  starts.fresh += p.isolates?.starts.fresh ?? 0;
  starts.ms += p.isolates?.starts.ms ?? 0;
}
const processes = (await server.processes()).length;
await server.stop();
const cold = starts.spare + starts.fresh;
console.log(`${apps} never-seen apps back to back on nano start (${processes} runtime processes, defaults):`);
console.log(
  `  first request at the client: p50 ${pct(first, 50).toFixed(2)} ms, p99 ${pct(first, 99).toFixed(2)} ms, max ${Math.max(...first).toFixed(2)} ms`,
);
console.log(
  `  a warm app, as many requests back to back: p50 ${pct(warm, 50).toFixed(2)} ms, p99 ${pct(warm, 99).toFixed(2)} ms`,
);
console.log(
  `  isolate-side start (spare or new isolate, app code loaded): ${(starts.ms / Math.max(1, cold)).toFixed(2)} ms mean over ${cold} cold starts`,
);
console.log(`  errors: ${JSON.stringify(failures)}`);
console.log(`  spare hit rate: ${starts.spare}/${cold} (${((100 * starts.spare) / Math.max(1, cold)).toFixed(0)}%)`);
