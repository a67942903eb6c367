/** Helpers for end-to-end tests: real `./nano` processes on free ports. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const NANO = `${ROOT}nano`;

export interface RunningNano {
  url: string;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts `./nano serve <path> --port 0` and waits for the line that names its URL. */
export function startServe(path: string, extra: string[] = []): Promise<RunningNano> {
  const proc = spawn(NANO, ["serve", path, "--port", "0", ...extra], {
    cwd: ROOT,
    env: { ...process.env, NANO_QUIET: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout?.on("data", (d) => {
    out += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nano serve did not start:\n${out}`)), 60_000);
    proc.stderr?.on("data", (d) => {
      out += d;
      const m = /serving \S+ on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1] as string,
          proc,
          output: () => out,
          stop: () =>
            new Promise((done) => {
              if (proc.exitCode !== null) return done(proc.exitCode);
              proc.once("exit", (code) => done(code));
              proc.kill("SIGTERM");
            }),
        });
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`nano serve exited with ${code}:\n${out}`));
    });
  });
}

/** Runs `./nano …` to completion. */
export function runNano(
  args: string[],
  opts: { timeoutMs?: number; env?: Record<string, string>; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(NANO, args, {
      cwd: ROOT,
      env: { ...process.env, NANO_QUIET: "1", ...opts.env },
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (opts.input !== undefined) proc.stdin?.end(opts.input);
    let stdout = "";
    let stderr = "";
    proc.stdout?.on("data", (d) => {
      stdout += d;
    });
    proc.stderr?.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`nano ${args.join(" ")} timed out\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
