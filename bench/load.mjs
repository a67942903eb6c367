// One autocannon run in a process of its own, so that it can be pinned to a core (`taskset`) apart
// from the server. Argument: the autocannon options as JSON. Prints the summary as one JSON line.
import autocannon from "autocannon";

const r = await autocannon(JSON.parse(process.argv[2]));
console.log(
  JSON.stringify({
    total: r.requests.total,
    seconds: r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  }),
);
