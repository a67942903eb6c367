import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { RuntimeIsolate } from "/work/main/packages/worker/dist/isolate/runtime-isolate.js";
import { loadRuntimeSnapshot, snapshotCopy } from "/work/main/packages/worker/dist/isolate/snapshot.js";

const code = readFileSync("/tmp/sab2/index.js", "utf8").replace("export default {", "module.exports.default = {");
const script = `__nano_define(function (module) { module.exports = {}; ${code} });`;
const up = createServer((q, r) => {
  r.writeHead(200, { "content-type": "text/x" });
  r.write("from ");
  setTimeout(() => r.end("up"), 20);
});
await new Promise((r) => up.listen(18781, r));
const iso = new RuntimeIsolate({
  snapshot: snapshotCopy(loadRuntimeSnapshot()),
  memoryMb: 64,
  outbound: { allowPrivate: true },
  onLog: (r) => console.log("LOG", r),
});
iso.loadApp(script, { filename: "app.js" });
for (const p of (process.argv[2] ?? "/fetch").split(",")) {
  try {
    const out = await iso.fetch(
      {
        requestId: "r",
        method: "GET",
        url: "http://app.test" + p,
        headers: ["x-upstream", "http://127.0.0.1:18781/data"],
        body: null,
      },
      { cpuMs: 1000, wallMs: 3000 },
    );
    console.log(
      p,
      out.response.status,
      out.response.body ? Buffer.from(out.response.body).toString() : "(stream)",
      out.logs,
    );
  } catch (e) {
    console.log(p, "ERR", e.code, e.message, e.logs);
  }
}
iso.dispose();
up.close();
