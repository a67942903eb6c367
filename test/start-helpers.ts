/** Helpers for `nano start` end-to-end tests: a real server process, app folders, CLI calls. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NANO, ROOT, runNano } from "./helpers.js";

export interface Server {
  url: string;
  adminUrl: string;
  dataDir: string;
  token: string;
  proc: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A port that was free a moment ago (for apps that ask for a dedicated port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startServer(dataDir = mkdtempSync(join(tmpdir(), "nano-e2e-"))): Promise<Server> {
  const proc = spawn(
    NANO,
    ["start", "--port", "0", "--admin-port", "0", "--host", "127.0.0.1", "--data-dir", dataDir],
    {
      cwd: ROOT,
      env: { ...process.env, NANO_QUIET: "1", NANO_LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  proc.stdout?.on("data", (d) => {
    out += d;
  });
  const ready = await new Promise<{ url: string; adminUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nano start did not start:\n${out}`)), 60_000);
    proc.stderr?.on("data", (d) => {
      out += d;
      const m = /ingress on (http:\/\/\S+), admin API on (http:\/\/\S+),/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1] as string, adminUrl: m[2] as string });
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`nano start exited with ${code}:\n${out}`));
    });
  });
  const { readFileSync } = await import("node:fs");
  const token = readFileSync(join(dataDir, "admin-token"), "utf8").trim();
  return {
    ...ready,
    dataDir,
    token,
    proc,
    output: () => out,
    stop: (signal: NodeJS.Signals = "SIGTERM") =>
      new Promise((done) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return done(proc.exitCode);
        proc.once("exit", (code) => done(code));
        proc.kill(signal);
      }),
  };
}

/** Writes an app folder whose handler answers `text` (and echoes the Host it saw). */
export function appDir(manifest: Record<string, unknown>, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nano-app-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "nano.json"), JSON.stringify(manifest));
  writeFileSync(
    join(dir, "src", "index.js"),
    `export default { fetch(request, env) {
      const u = new URL(request.url);
      if (u.pathname === "/env") return Response.json(env);
      if (u.pathname === "/headers") return Response.json(Object.fromEntries(request.headers));
      return new Response(${JSON.stringify(text)} + " " + u.pathname);
    } };\n`,
  );
  return dir;
}

export function cli(server: Server, args: string[], input?: string) {
  return runNano(args, {
    env: { NANO_URL: server.adminUrl, NANO_TOKEN: server.token },
    ...(input !== undefined ? { input } : {}),
  });
}

/** GET with an explicit Host header (fetch may not set Host; node:http can). */
export async function get(url: string, host?: string): Promise<{ status: number; body: string }> {
  const { request } = await import("node:http");
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: host ? { host } : {}, agent: false }, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
