/**
 * Tenant isolation at deploy, against a real `nano start` driven by the CLI: no deploy may take over
 * the traffic of another app's route (or of its `<app>.localhost`), and the operator's maximums bound
 * what limits an app may ask for.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appDir, cli, type Server, startServer, tryGet } from "../start-helpers.js";

let server: Server;

/** The owner still answers its own host and `owner.localhost`, whatever was just refused. */
async function ownerAnswers(): Promise<void> {
  for (const [host, path] of [
    ["conflict.test", "/"],
    ["conflict.test", "/deep/path"],
    ["owner.localhost", "/x"],
  ] as const) {
    expect(await tryGet(`${server.url}${path}`, host)).toMatchObject({ status: 200, body: `owner ${path}` });
  }
}

beforeAll(async () => {
  server = await startServer(undefined, { args: ["--processes", "1", "--max-cpu-ms", "1000"] });
  const owner = await cli(server, ["deploy", appDir({ name: "owner", routes: ["conflict.test"] }, "owner")]);
  expect(owner.stderr).toBe("");
  expect(owner.code).toBe(0);
});
afterAll(async () => {
  await server?.stop("SIGKILL");
});

describe("route takeover", () => {
  it("the owner answers its host", ownerAnswers);

  it.each([
    [["conflict.test/*"]],
    [["conflict.test/"]],
    [["conflict.test/api/*"]],
    [["conflict.test/health"]],
    [["CONFLICT.Test."]],
    [["*.test"]],
    [["owner.localhost"]],
    [["*.localhost"]],
    [["localhost"]],
    [["elsewhere.test", "conflict.test/x/*"]],
  ])("a deploy of %j by another app is refused", async (routes) => {
    const r = await cli(server, ["deploy", appDir({ name: "taker", routes }, "taker")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/overlaps .*(already served by app "owner"|reserved)|reserved \.localhost namespace/);
    expect(r.stderr).toContain("NANO_ERR_ROUTE_CONFLICT");
    expect(r.stdout).toBe("");
    await ownerAnswers();
  });

  it("names both routes and the owner", async () => {
    const r = await cli(server, ["deploy", appDir({ name: "taker", routes: ["conflict.test/"] }, "taker")]);
    expect(r.stderr).toContain('route "conflict.test/" overlaps route "conflict.test", already served by app "owner"');
  });

  it("a route that overlaps nothing deploys, and serves beside the owner", async () => {
    const r = await cli(server, [
      "deploy",
      appDir({ name: "taker", routes: ["taker.test", "taker.localhost/api/*"] }, "taker"),
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(await tryGet(`${server.url}/`, "taker.test")).toMatchObject({ status: 200, body: "taker /" });
    await ownerAnswers();
  });
});

describe("operator maximums", () => {
  it("a manifest over --max-cpu-ms fails its deploy, naming the field and the limit", async () => {
    const r = await cli(server, ["deploy", appDir({ name: "greedy", limits: { cpuMs: 5000 } }, "greedy")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("limits.cpuMs is 5000 but this server allows at most 1000");
    expect(r.stderr).toContain("NANO_ERR_MANIFEST");
    expect(await tryGet(`${server.url}/`, "greedy.localhost")).toMatchObject({ status: 404 });
  });

  it("a manifest at the maximum deploys", async () => {
    const r = await cli(server, ["deploy", appDir({ name: "greedy", limits: { cpuMs: 1000 } }, "greedy")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(await tryGet(`${server.url}/`, "greedy.localhost")).toMatchObject({ status: 200, body: "greedy /" });
  });
});
