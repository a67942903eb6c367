/**
 * The supervisor's own life: SIGTERM drains every process (requests in flight finish, exit 0), a
 * supervisor killed with -9 leaves no runtime or checker process behind, and a runtime process killed
 * with -9 is restarted, with backoff when it keeps dying.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alive, allReady, appDir, childPids, cli, startServer, tryGet, until } from "./start-helpers.js";

function slowApp(): string {
  const dir = mkdtempSync(join(tmpdir(), "nano-slow-"));
  writeFileSync(join(dir, "nano.json"), JSON.stringify({ name: "slow" }));
  writeFileSync(
    join(dir, "index.js"),
    `export default { async fetch() {
      await new Promise((r) => setTimeout(r, 800));
      return new Response("finished");
    } };\n`,
  );
  return dir;
}

describe("nano start's processes", () => {
  it("SIGTERM drains: a request in flight finishes, then every process exits and the supervisor exits 0", async () => {
    const server = await startServer(undefined, { args: ["--processes", "2"] });
    expect((await cli(server, ["deploy", slowApp()])).code).toBe(0);
    const children = childPids(server.proc.pid as number);
    // Two runtime processes and the deploy checker.
    expect(children).toHaveLength(3);
    const inFlight = tryGet(`${server.url}/`, "slow.localhost");
    await new Promise((r) => setTimeout(r, 200));
    const exit = server.stop("SIGTERM");
    expect(await inFlight).toMatchObject({ status: 200, body: "finished" });
    expect(await exit).toBe(0);
    for (const pid of children) expect(alive(pid)).toBe(false);
  });

  it("a supervisor killed with -9 leaves no orphans", async () => {
    const server = await startServer(undefined, { args: ["--processes", "2"] });
    await allReady(server);
    const children = childPids(server.proc.pid as number);
    expect(children).toHaveLength(3);
    await server.stop("SIGKILL");
    await until(() => children.every((pid) => !alive(pid)), "every child process to exit", 5_000);
  });
});

describe("kill -9 of a runtime process", () => {
  it("is restarted while the others serve; a slot that keeps dying backs off", async () => {
    const server = await startServer(undefined, { args: ["--processes", "2"] });
    expect((await cli(server, ["deploy", appDir({ name: "healthy" }, "healthy")])).code).toBe(0);
    const healthy = () => tryGet(`${server.url}/`, "healthy.localhost");
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const target = (await allReady(server)).find((p) => p.slot === 2);
      if (!target?.pid) throw new Error("no runtime process 2");
      const outputBefore = server.output().length;
      process.kill(target.pid, "SIGKILL");
      // Connections the kernel queued for the dying process before it was gone fail with it; once it
      // is gone, the other process takes every new connection.
      await until(() => !alive(target.pid as number), "the process to die", 5_000);
      expect((await healthy()) as { status: number }).toMatchObject({ status: 200 });
      await until(
        () => /"event":"runtime-crash"[^\n]*"signal":"SIGKILL"/.test(server.output().slice(outputBefore)),
        "the crash record",
      );
      const record = server
        .output()
        .slice(outputBefore)
        .split("\n")
        .find((l) => l.includes('"runtime-crash"'));
      delays.push(JSON.parse(record as string).restartInMs);
      const restarted = await allReady(server);
      expect(restarted.find((p) => p.slot === 2)?.pid).not.toBe(target.pid);
    }
    // At once the first time in a while, then later and later.
    expect(delays[1]).toBeGreaterThanOrEqual(250);
    expect(delays[2]).toBeGreaterThan(delays[1] as number);
    const metrics = await (
      await fetch(`${server.adminUrl}/metrics`, { headers: { authorization: `Bearer ${server.token}` } })
    ).text();
    expect(metrics).toMatch(/nano_runtime_restarts_total\{reason="SIGKILL"\} 3/);
    await server.stop("SIGKILL");
  });
});
