/**
 * kill -9 during first deploys: `nano start` on a fresh data directory takes a stream of first
 * deploys of distinct apps and is SIGKILLed at random moments, again and again, on the same data
 * directory. Storing a version, activating it and lifting a quarantine are one registry transaction,
 * so afterwards every app listed has an active version that serves — none is left with a stored
 * version and nothing active (503 NANO_ERR_APP_DISABLED forever).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";
import { startServer, tryGet, until } from "../start-helpers.js";

const KILLS = 50;
const LANES = 4;
const bundle = (name: string) =>
  `__nano_define(function (module) { module.exports = { default: { fetch() { return new Response(${JSON.stringify(`app ${name}`)}) } } }; });`;

/**
 * `nano start` as the built CLI, without the launcher (whose toolchain and build checks would cost
 * half a second a start, fifty times): the supervisor process itself, to be killed.
 */
async function startSupervisor(dataDir: string, args: string[]) {
  const proc = spawn(
    process.execPath,
    [
      "--no-node-snapshot",
      join(ROOT, "packages/cli/dist/bin.js"),
      "start",
      ...["--port", "0", "--admin-port", "0", "--host", "127.0.0.1", "--data-dir", dataDir, ...args],
    ],
    { cwd: ROOT, env: { ...process.env, NANO_LOG_LEVEL: "warn" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  const adminUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nano start did not start:\n${err}`)), 30_000);
    proc.stderr?.on("data", (d) => {
      err += d;
      const m = /admin API on (http:\/\/\S+),/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`nano start exited (${signal ?? code}):\n${err}`));
    });
  });
  const token = readFileSync(join(dataDir, "admin-token"), "utf8").trim();
  return {
    adminUrl,
    token,
    kill: () =>
      new Promise<void>((done) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return done();
        proc.once("exit", () => done());
        proc.kill("SIGKILL");
      }),
  };
}

describe("kill -9 during first deploys", () => {
  it(`leaves every listed app with an active version that answers, over ${KILLS} kills`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "nano-storm-"));
    const args = ["--processes", "1", "--threads", "1"];
    let next = 0;
    const acknowledged: string[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const server = await startSupervisor(dataDir, args);
      let stop = false;
      // Deploys kept in flight until the kill, each for an app never deployed before.
      const lane = async () => {
        while (!stop) {
          const name = `storm-${next++}`;
          try {
            const res = await fetch(`${server.adminUrl}/v1/apps/${name}/versions`, {
              method: "POST",
              headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
              body: JSON.stringify({ bundle: bundle(name), manifest: {} }),
            });
            if (res.status === 201) acknowledged.push(name);
            await res.arrayBuffer();
          } catch {
            // The server was killed with this deploy in flight.
          }
        }
      };
      const lanes = Array.from({ length: LANES }, lane);
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 300));
      stop = true;
      await server.kill();
      await Promise.all(lanes);
    }

    const server = await startServer(dataDir, { args });
    try {
      const res = await fetch(`${server.adminUrl}/v1/apps`, { headers: { authorization: `Bearer ${server.token}` } });
      const { apps } = (await res.json()) as { apps: { name: string; activeVersion: number | null }[] };
      // Every acknowledged deploy survived; the others (cut off by a kill) are absent or whole too.
      expect(acknowledged.length).toBeGreaterThan(KILLS);
      const listed = new Set(apps.map((a) => a.name));
      expect(acknowledged.filter((name) => !listed.has(name))).toEqual([]);
      expect(apps.filter((a) => a.activeVersion !== 1).map((a) => a.name)).toEqual([]);
      const queue = apps.map((a) => a.name);
      const check = async () => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
          const host = `${name}.localhost`;
          let last: Awaited<ReturnType<typeof tryGet>> = { error: "not tried" };
          await until(async () => {
            last = await tryGet(`${server.url}/`, host);
            return "status" in last && last.status !== 503;
          }, `${name} to answer`);
          expect({ app: name, ...last }).toMatchObject({ app: name, status: 200, body: `app ${name}` });
        }
      };
      await Promise.all(Array.from({ length: 4 }, check));
    } finally {
      await server.stop();
    }
  }, 240_000);
});
