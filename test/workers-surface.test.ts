/**
 * The rest of the Workers surface apps import, deployed through the real `nano deploy` against a real
 * `nano start`: `cloudflare:workers` (the class entrypoint, `env`, the unsupported classes), the
 * other built-in specifiers, `request.cf` with and without a proxy-header mapping, and an ES module's
 * own scope (the UMD pattern).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";
import { cli, type Server, startServer } from "./start-helpers.js";

/** Deploys bundle, check and start an isolate: seconds on a machine busy with other tests. */
const SLOW = 60_000;
const fixture = (name: string) => join(ROOT, "test", "fixtures", name);

/** GET with a Host and extra headers, answering the JSON body. */
async function getJson(server: Server, path: string, host: string, headers: Record<string, string> = {}) {
  const { request } = await import("node:http");
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const req = request(`${server.url}${path}`, { headers: { host, ...headers }, agent: false }, (res) => {
      let text = "";
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end();
  });
}

let server: Server;
let mapped: Server;

beforeAll(async () => {
  [server, mapped] = await Promise.all([
    // One isolate serves the apps here, so consecutive requests meet the same module state.
    startServer(undefined, { args: ["--processes", "1", "--threads", "1"] }),
    startServer(undefined, {
      env: { NANO_CF_HEADERS: "country=x-geo-country,asn=x-geo-asn,colo=x-geo-colo,city=x-geo-city" },
    }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([server?.stop("SIGKILL"), mapped?.stop("SIGKILL")]);
});

describe("cloudflare:workers", { timeout: SLOW }, () => {
  it("serves a class default export extending WorkerEntrypoint: one instance per request, this.env, this.ctx.waitUntil", async () => {
    const d = await cli(server, ["deploy", fixture("worker-entrypoint")]);
    expect(d.stderr).toBe("");
    expect(d.stdout).toMatch(/^deployed entrypoint version 1/);
    const first = await getJson(server, "/a", "entrypoint.localhost");
    expect(first).toMatchObject({ status: 200, body: { greeting: "hello", path: "/a" } });
    const second = await getJson(server, "/b", "entrypoint.localhost");
    // workerd constructs the class for each request, with (ctx, env).
    expect((second.body as { instance: number }).instance).toBe((first.body as { instance: number }).instance + 1);
    // The work handed to this.ctx.waitUntil ran after the responses.
    let background = 0;
    for (let i = 0; i < 50 && background === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      background = ((await getJson(server, "/background", "entrypoint.localhost")).body as { background: number })
        .background;
    }
    expect(background).toBeGreaterThan(0);
  });

  it("gives the module-level `env` import the app's bindings, at the top level and in a request", async () => {
    const d = await cli(server, ["deploy", fixture("cf-env")]);
    expect(d.stdout).toMatch(/^deployed cf-env version 1/);
    expect(await getJson(server, "/", "cf-env.localhost")).toEqual({
      status: 200,
      body: { atStartup: "teal", now: "teal", same: true, waitUntil: "function" },
    });
  });

  it("fails the deploy of an app exporting a Durable Object class, naming the class", async () => {
    const d = await cli(server, ["deploy", fixture("durable-object")]);
    expect(d.code).toBe(1);
    expect(d.stderr).toContain(
      'the export "Counter" (class Counter extends DurableObject) is not supported by NANO: DurableObject is not available yet',
    );
    expect(d.stderr).toContain("NANO_ERR_APP_LOAD");
  });
});

describe("other Workers built-in modules", { timeout: SLOW }, () => {
  it("fails the bundle of an app importing cloudflare:sockets with an error naming it", async () => {
    const d = await cli(server, ["deploy", fixture("unsupported-builtin")]);
    expect(d.code).toBe(1);
    expect(d.stderr).toContain(
      'index.js:1:25: "cloudflare:sockets" is a Cloudflare Workers built-in module (TCP sockets) that is not supported by NANO',
    );
    expect(d.stderr).toContain("[NANO_ERR_BUNDLE]");
  });
});

describe("an ES module's scope", { timeout: SLOW }, () => {
  it("keeps a UMD module's exports: no module, exports or wrapper name in scope, `this` undefined, strict", async () => {
    const d = await cli(server, ["deploy", fixture("umd-module")]);
    expect(d.stderr).toBe("");
    expect(d.stdout).toMatch(/^deployed umd-module version 1/);
    expect(await getJson(server, "/", "umd-module.localhost")).toEqual({
      status: 200,
      body: { module: "undefined", exports: "undefined", topThis: "undefined", strict: true, define: "undefined" },
    });
  });
});

describe("request.cf", { timeout: SLOW }, () => {
  it("is an object on every request, with what the ingress knows and no geo fields without a mapping", async () => {
    await cli(server, ["deploy", fixture("request-cf")]);
    const r = await getJson(server, "/", "request-cf.localhost", { "x-geo-country": "NL", "accept-encoding": "br" });
    expect(r).toEqual({
      status: 200,
      body: {
        cf: { httpProtocol: "HTTP/1.1", tlsVersion: "", clientAcceptEncoding: "br" },
        asn: null,
        copied: true,
        fetchCfIgnored: true,
      },
    });
  });

  it("carries the geo fields the server's cfHeaders mapping takes from a trusted proxy's headers", async () => {
    await cli(mapped, ["deploy", fixture("request-cf")]);
    const r = await getJson(mapped, "/", "request-cf.localhost", {
      "x-geo-country": "NL",
      "x-geo-asn": "1136",
      "x-geo-colo": "AMS",
    });
    expect(r).toEqual({
      status: 200,
      body: {
        cf: { httpProtocol: "HTTP/1.1", tlsVersion: "", country: "NL", asn: 1136, colo: "AMS" },
        asn: 1136,
        copied: true,
        fetchCfIgnored: true,
      },
    });
  });
});
