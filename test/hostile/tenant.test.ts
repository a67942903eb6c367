/**
 * What one hostile tenant can still try against the others and the host, each against a real
 * `nano start`: the hostile app gets its documented error, a bystander app keeps answering, and the
 * runtime processes' memory stays bounded.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appDir, cli, runtimeProcesses, type Server, startServer, tryGet, until } from "../start-helpers.js";

let server: Server;

function app(name: string, source: string, manifest: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `nano-hostile-${name}-`));
  writeFileSync(join(dir, "nano.json"), JSON.stringify({ name, ...manifest }));
  writeFileSync(join(dir, "index.js"), source);
  return dir;
}

async function deploy(dir: string): Promise<void> {
  const r = await cli(server, ["deploy", dir]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

const call = (name: string, path = "/") => tryGet(`${server.url}${path}`, `${name}.localhost`);

async function bystanderAnswers(times = 10): Promise<void> {
  for (let i = 0; i < times; i++) expect(await call("bystander")).toMatchObject({ status: 200 });
}

const metrics = async () =>
  (await fetch(`${server.adminUrl}/metrics`, { headers: { authorization: `Bearer ${server.token}` } })).text();

async function appLogs(name: string): Promise<string> {
  return (await cli(server, ["logs", name, "--json", "-n", "1000"])).stdout;
}

/** Resident memory of the runtime processes stays under a bound (they report it every second). */
async function rssBounded(mb = 700): Promise<void> {
  await new Promise((r) => setTimeout(r, 1_200));
  const res = await fetch(`${server.adminUrl}/v1/processes`, { headers: { authorization: `Bearer ${server.token}` } });
  const { processes } = (await res.json()) as { processes: { rss: number; state: string }[] };
  for (const p of processes) expect(p.rss / 1048576).toBeLessThan(mb);
}

beforeAll(async () => {
  server = await startServer(undefined, { args: ["--processes", "2"] });
  await deploy(appDir({ name: "bystander" }, "bystander"));
});
afterAll(async () => {
  await server?.stop("SIGKILL");
});

describe("a hostile tenant", () => {
  it("cannot put CR/LF into the status line: the runtime reads its own state, the host checks the head", async () => {
    await deploy(
      app(
        "splitter",
        `class R extends Response { get statusText() { return "OK\\r\\nX-Injected: yes" } }
         export default { fetch() { return new R("hi") } };`,
      ),
    );
    const pids = (await runtimeProcesses(server)).map((p) => p.pid);
    for (let i = 0; i < 5; i++) {
      const r = await call("splitter");
      // The getter is the app's; the runtime answers from the Response's own (empty) status text.
      expect(r).toMatchObject({ status: 200, body: "hi" });
      if ("headers" in r) expect(r.headers["x-injected"]).toBeUndefined();
    }
    expect((await runtimeProcesses(server)).map((p) => p.pid)).toEqual(pids);
    await bystanderAnswers();
  });

  it("gets a budget for work outside its requests: burning intervals are stopped, others keep answering", async () => {
    await deploy(
      app(
        "burner",
        `export default { fetch() {
          for (let i = 0; i < 10; i++) setInterval(() => { const end = Date.now() + 900; while (Date.now() < end); }, 5);
          return new Response("started");
        } };`,
      ),
    );
    expect(await call("burner")).toMatchObject({ status: 200, body: "started" });
    const started = Date.now();
    const latencies: number[] = [];
    while (Date.now() - started < 2_000) {
      const t = Date.now();
      expect(await call("bystander")).toMatchObject({ status: 200 });
      latencies.push(Date.now() - t);
    }
    // Coarse: no bystander request waited anywhere near the 900 ms a burning interval asks for twice.
    expect(Math.max(...latencies)).toBeLessThan(1_500);
    // What happens outside its requests reaches the app's log with its next request.
    await until(async () => {
      await call("burner", "/again");
      return /stopped outside a request|background work stopped/.test(await appLogs("burner"));
    }, "the stop to be logged");
  });

  it("cannot keep a core busy with hundreds of zero-delay intervals: they are cleared, logged and counted", async () => {
    await deploy(
      app(
        "spinner",
        `export default { fetch() {
          for (let i = 0; i < 900; i++) setInterval(() => { globalThis.n = (globalThis.n ?? 0) + 1 }, 0);
          return new Response("spinning");
        } };`,
      ),
    );
    expect(await call("spinner")).toMatchObject({ status: 200 });
    // What happens outside its requests reaches the app's log and the metrics with its next request.
    await until(async () => {
      await call("spinner", "/again");
      return /background work stopped/.test(await appLogs("spinner"));
    }, "the stop to be logged");
    await until(async () => /nano_background_stops_total\{app="spinner"\} [1-9]/.test(await metrics()), "the count");
    await bystanderAnswers();
  });

  it("cannot block its thread with Atomics.wait, and may hold at most 1000 timers", async () => {
    await deploy(
      app(
        "waiter",
        `export default { fetch() {
          let timers = 0;
          try { for (;;) { setTimeout(() => {}, 60_000); timers++; } } catch (e) { timers = e.name + " after " + timers; }
          return Response.json({ wait: typeof Atomics.wait, timers });
        } };`,
      ),
    );
    const r = await call("waiter");
    expect(r).toMatchObject({ status: 200 });
    expect(JSON.parse((r as { body: string }).body)).toEqual({ wait: "undefined", timers: "RangeError after 1000" });
  });

  it("cannot grow the host with console output: records are cut, a request's volume is capped, drops counted", async () => {
    await deploy(
      app(
        "logger",
        `export default { fetch() {
          const big = "x".repeat(8 * 1024 * 1024);
          for (let i = 0; i < 20; i++) console.log(big);
          return new Response("logged");
        } };`,
        { limits: { cpuMs: 2000 } },
      ),
    );
    for (let i = 0; i < 4; i++) expect(await call("logger")).toMatchObject({ status: 200, body: "logged" });
    const logs = await appLogs("logger");
    expect(logs).toMatch(/\[truncated: \d+ more characters\]/);
    expect(logs).toMatch(/console record\(s\) dropped/);
    for (const line of logs.trim().split("\n")) expect(line.length).toBeLessThan(20 * 1024);
    await until(async () => /nano_console_dropped_total\{app="logger"\} [1-9]/.test(await metrics()), "the count");
    await rssBounded();
    await bystanderAnswers();
  });

  it("cannot hoard host memory in CryptoKeys beyond a share of its memory limit", async () => {
    await deploy(
      app(
        "keyhog",
        `export default { async fetch() {
          globalThis.keys ??= [];
          try {
            for (let i = 0; i < 40; i++) {
              const raw = new Uint8Array(16 * 1024 * 1024);
              raw[0] = i;
              keys.push(await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
            }
            return new Response("kept " + keys.length);
          } catch (e) { return new Response(e.name + " after " + keys.length) }
        } };`,
        { limits: { memoryMb: 64 } },
      ),
    );
    const r = await call("keyhog");
    expect(r).toMatchObject({ status: 200 });
    expect((r as { body: string }).body).toMatch(/^QuotaExceededError after [01]$/);
    await rssBounded();
    await bystanderAnswers();
  });

  it("cannot hold WebAssembly memory beyond its memory limit, from wasm or from JavaScript", async () => {
    // (module (memory (export "m") 1) (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))
    const wasm = [
      0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0, 5, 3, 1, 0, 1, 7, 12, 2, 1, 109, 2, 0, 4,
      103, 114, 111, 119, 0, 0, 10, 8, 1, 6, 0, 32, 0, 64, 0, 11,
    ];
    await deploy(
      app(
        "wasmhog",
        `const bytes = new Uint8Array(${JSON.stringify(wasm)});
        export default { async fetch(request) {
          const out = [];
          const { instance } = await WebAssembly.instantiate(bytes);
          // 2 GiB asked for from inside wasm: memory.grow answers -1 past the app's 16 MiB.
          out.push(instance.exports.grow(32767));
          out.push(instance.exports.grow(200));
          const mem = instance.exports.m.buffer;
          for (let i = 0; i < mem.byteLength; i += 4096) new Uint8Array(mem)[i] = 1;
          out.push(mem.byteLength / 65536);
          try { new WebAssembly.Memory({ initial: 1 }); out.push("made") } catch (e) { out.push(e.name) }
          try { new WebAssembly.Instance(new WebAssembly.Module(bytes)); out.push("made") } catch (e) { out.push(e.name) }
          out.push(instance.exports.m instanceof WebAssembly.Memory, WebAssembly.Memory.name);
          return Response.json(out);
        } };`,
        { limits: { memoryMb: 16 } },
      ),
    );
    const r = await call("wasmhog");
    expect(r).toMatchObject({ status: 200 });
    expect(JSON.parse((r as { body: string }).body)).toEqual([-1, 1, 201, "RangeError", "RangeError", true, "Memory"]);
    // A JavaScript memory is capped too: it may not grow past the allowance.
    await deploy(
      app(
        "memhog",
        `export default { fetch() {
          const m = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
          try { m.grow(32767); return new Response("grew") } catch (e) { return new Response(e.name + " " + m.buffer.byteLength) }
        } };`,
        { limits: { memoryMb: 16 } },
      ),
    );
    expect(await call("memhog")).toMatchObject({ status: 200, body: "RangeError 65536" });
    await rssBounded();
    await bystanderAnswers();
  });

  it("sees only its own and the runtime's frames in its logs, never the host's", async () => {
    await deploy(
      app(
        "rejecter",
        `export default { fetch() {
          setTimeout(() => { throw new Error("boom from a timer") }, 0);
          return new Response("ok");
        } };`,
      ),
    );
    expect(await call("rejecter")).toMatchObject({ status: 200 });
    await until(async () => {
      await call("rejecter", "/again");
      return /boom from a timer/.test(await appLogs("rejecter"));
    }, "the uncaught error to be logged");
    const logs = await appLogs("rejecter");
    expect(logs).toMatch(/Uncaught Error: boom from a timer/);
    expect(logs).not.toMatch(/packages\/worker|piscina|node:internal|isolated-vm/);
  });

  it("cannot crash the deploy check with a stack overflow and a regexp compile", async () => {
    const dir = app(
      "regexp-abort",
      `let n = 0;
       function r() { n++; try { r(); } catch (e) { new RegExp("(a|b)*c" + n).exec("ababababc"); } }
       r();
       export default { fetch() { return new Response("never") } };`,
    );
    const r = await cli(server, ["deploy", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/NANO_ERR_APP_CHECK_CRASHED|NANO_ERR_APP_LOAD/);
    await bystanderAnswers();
  });
});
