// The raw peer of `scripts/bench assets`: a node:http file server with what an asset server needs at
// the least (a Content-Type, a strong ETag and its 304), serving a folder from memory (read once at
// start) or from disk (read on every request). Argument: the folder and "memory" | "disk".
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { join, relative, sep } from "node:path";

const [root, mode] = process.argv.slice(2);
const TYPES = { html: "text/html; charset=utf-8", js: "text/javascript; charset=utf-8", png: "image/png" };
const files = new Map();
for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
  if (!e.isFile()) continue;
  const file = join(e.parentPath, e.name);
  const bytes = readFileSync(file);
  files.set(`/${relative(root, file).split(sep).join("/")}`, {
    file,
    bytes: mode === "memory" ? bytes : null,
    etag: `"${createHash("sha256").update(bytes).digest("hex")}"`,
    type: TYPES[file.slice(file.lastIndexOf(".") + 1)] ?? "application/octet-stream",
  });
}
const server = createServer(async (req, res) => {
  const f = files.get((req.url ?? "/").split("?")[0]);
  if (!f) {
    res.writeHead(404).end();
    return;
  }
  if (req.headers["if-none-match"] === f.etag) {
    res.writeHead(304, { etag: f.etag }).end();
    return;
  }
  const bytes = f.bytes ?? (await readFile(f.file));
  res.writeHead(200, { "content-type": f.type, etag: f.etag, "content-length": bytes.length }).end(bytes);
});
server.listen(0, "127.0.0.1", () => console.error(`serving raw-${mode} on http://127.0.0.1:${server.address().port}`));
