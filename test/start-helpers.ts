/** Helpers for `nano start` end-to-end tests: a real server process, app folders, CLI calls. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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

export async function startServer(
  dataDir = mkdtempSync(join(tmpdir(), "nano-e2e-")),
  opts: { args?: string[]; env?: Record<string, string> } = {},
): Promise<Server> {
  const proc = spawn(
    NANO,
    ["start", "--port", "0", "--admin-port", "0", "--host", "127.0.0.1", "--data-dir", dataDir, ...(opts.args ?? [])],
    {
      cwd: ROOT,
      env: { ...process.env, NANO_QUIET: "1", NANO_LOG_LEVEL: "warn", ...opts.env },
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

export interface RuntimeInfo {
  slot: number;
  pid: number | null;
  state: string;
  restarts: number;
}

/** The server's runtime processes, from the admin API. */
export async function runtimeProcesses(server: Server): Promise<RuntimeInfo[]> {
  const res = await fetch(`${server.adminUrl}/v1/processes`, { headers: { authorization: `Bearer ${server.token}` } });
  return ((await res.json()) as { processes: RuntimeInfo[] }).processes;
}

/** Waits (bounded) until `check` holds. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until every runtime process serves; returns them. */
export async function allReady(server: Server, timeoutMs = 15_000): Promise<RuntimeInfo[]> {
  let list: RuntimeInfo[] = [];
  await until(
    async () => {
      list = await runtimeProcesses(server);
      return list.length > 0 && list.every((p) => p.state === "ready");
    },
    "every runtime process to serve",
    timeoutMs,
  );
  return list;
}

/** GET with a Host header that reports a failed connection instead of throwing. */
export async function tryGet(
  url: string,
  host?: string,
): Promise<
  { status: number; body: string; headers: Record<string, string | string[] | undefined> } | { error: string }
> {
  const { request } = await import("node:http");
  return new Promise((resolve) => {
    const req = request(url, { headers: host ? { host } : {}, agent: false, timeout: 20_000 }, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on("error", (err) => resolve({ error: err.message }));
    });
    req.on("error", (err) => resolve({ error: err.message }));
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}

/** Is a process with this pid still alive? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids of a process's children (from /proc). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}
