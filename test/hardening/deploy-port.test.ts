/**
 * A dedicated port another process holds: the deploy is refused (409 NANO_ERR_ROUTE_CONFLICT naming
 * the port) instead of being acknowledged and listed active while nothing can reach it. Once the port
 * is free the same deploy goes through and serves there; a new version of the app on the port the
 * server's own runtime processes already hold is not mistaken for a conflict.
 */
import { createServer, type Server as NetServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type Server, startServer, tryGet, until } from "../start-helpers.js";

const bundle = (text: string) =>
  `__nano_define(function (module) { module.exports = { default: { fetch() { return new Response(${JSON.stringify(text)}) } } }; });`;

let server: Server;
beforeAll(async () => {
  server = await startServer(undefined, { args: ["--processes", "2", "--threads", "1"] });
});
afterAll(async () => {
  await server?.stop();
});

const deploy = async (app: string, text: string, port: number) => {
  const res = await fetch(`${server.adminUrl}/v1/apps/${app}/versions`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
    body: JSON.stringify({ bundle: bundle(text), manifest: { port } }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const hold = (port: number, reusePort: boolean) =>
  new Promise<NetServer>((resolve, reject) => {
    const s = createServer((socket) => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nother"));
    s.once("error", reject);
    s.listen({ port, host: "127.0.0.1", reusePort }, () => resolve(s));
  });

describe("a dedicated port another process holds", () => {
  it.each([
    ["plainly", false],
    ["with SO_REUSEPORT, as another NANO would", true],
  ])(
    "held %s: the deploy answers 409 naming the port; freed, it deploys and serves there",
    async (_label, reusePort) => {
      const port = await freePort();
      const app = reusePort ? "shared-port" : "held-port";
      const holder = await hold(port, reusePort);
      try {
        const refused = await deploy(app, "v1", port);
        expect(refused.status).toBe(409);
        expect(refused.body).toMatchObject({
          error: { code: "NANO_ERR_ROUTE_CONFLICT", message: expect.stringContaining(`port ${port}`) },
        });
        const info = await fetch(`${server.adminUrl}/v1/apps/${app}`, {
          headers: { authorization: `Bearer ${server.token}` },
        });
        expect(info.status).toBe(404);
      } finally {
        await new Promise((r) => holder.close(r));
      }

      expect(await deploy(app, "v1", port)).toMatchObject({ status: 201, body: { version: 1, active: true } });
      await until(async () => {
        const r = await tryGet(`http://127.0.0.1:${port}/`);
        return "status" in r && r.status === 200 && r.body === "v1";
      }, `${app} to serve on its port`);
      // The runtime processes hold the port now: a new version on it is no conflict.
      expect(await deploy(app, "v2", port)).toMatchObject({ status: 201, body: { version: 2 } });
      await until(async () => {
        const r = await tryGet(`http://127.0.0.1:${port}/`);
        return "status" in r && r.body === "v2";
      }, `${app} v2 to serve on its port`);
    },
  );
});
