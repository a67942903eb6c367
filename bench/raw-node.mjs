// The peer: the smallest node:http server for the benchmarked routes (the app in bench/apps/compare):
// hello-world, a JSON echo on /echo, and 64 KiB written in 16 chunks of 4 KiB on /stream.
import { createServer } from "node:http";

const CHUNK = Buffer.alloc(4096, 120);

const server = createServer((req, res) => {
  if (req.url === "/echo") {
    const parts = [];
    req.on("data", (d) => parts.push(d));
    req.on("end", () => {
      const body = JSON.stringify(JSON.parse(Buffer.concat(parts).toString("utf8")));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    });
    return;
  }
  if (req.url === "/stream") {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    for (let i = 0; i < 16; i++) res.write(CHUNK);
    res.end();
    return;
  }
  res.writeHead(200, { "content-type": "text/plain;charset=UTF-8" });
  res.end("Hello World");
});
server.listen(0, "127.0.0.1", () => console.error(`serving raw on http://127.0.0.1:${server.address().port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
