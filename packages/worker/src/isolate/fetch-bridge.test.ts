/**
 * The host side of outbound fetch: the address policy (literal hosts in every form the URL parser
 * normalizes, resolved names), the re-check on every redirect hop, the subrequest budget and abort on
 * dispose. Only loopback is ever contacted: names resolve through an injected resolver.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Response as UndiciResponse } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FetchBridge } from "./fetch-bridge.js";
import { createSender, describeError, fetchFollowing, type OutboundRequest, type Send } from "./outbound-http.js";
import { AddressPolicy, guardedLookup, type Resolver } from "./outbound-policy.js";

const strict = new AddressPolicy({ allowPrivate: false });

describe("address policy", () => {
  it.each([
    ["127.0.0.1", false],
    ["127.255.255.254", false],
    ["10.1.2.3", false],
    ["172.16.0.1", false],
    ["172.31.255.255", false],
    ["192.168.1.1", false],
    ["169.254.169.254", false],
    ["100.64.0.1", false],
    ["100.127.255.255", false],
    ["0.0.0.0", false],
    ["::1", false],
    ["::", false],
    ["fc00::1", false],
    ["fd12:3456::1", false],
    ["fe80::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:7f00:1", false],
    ["::ffff:a9fe:a9fe", false],
    ["::ffff:10.0.0.1", false],
    ["::127.0.0.1", false],
    ["8.8.8.8", true],
    ["1.1.1.1", true],
    ["172.15.255.255", true],
    ["172.32.0.1", true],
    ["100.63.255.255", true],
    ["100.128.0.1", true],
    ["2606:4700:4700::1111", true],
    ["::ffff:8.8.8.8", true],
  ])("%s allowed: %s", (address, allowed) => {
    expect(strict.allows(address)).toBe(allowed);
  });

  it.each([
    ["http://127.0.0.1/", "127.0.0.1"],
    ["http://2130706433/", "127.0.0.1"],
    ["http://0x7f000001/", "127.0.0.1"],
    ["http://0x7f.0.0.1/", "127.0.0.1"],
    ["http://017700000001/", "127.0.0.1"],
    ["http://127.1/", "127.0.0.1"],
    ["https://0/", "0.0.0.0"],
    ["http://0xa9fea9fe/latest/meta-data", "169.254.169.254"],
    ["http://[::1]:8080/", "::1"],
    ["http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"],
    ["http://[0:0:0:0:0:ffff:a00:1]/", "::ffff:a00:1"],
  ])("refuses the literal host of %s (%s) before connecting", (url, normalized) => {
    expect(() => strict.check(new URL(url))).toThrow(
      `fetch to ${normalized} refused: private/loopback addresses are not allowed`,
    );
  });

  it("accepts public literals and names (names are checked at connect), refuses other schemes", () => {
    for (const url of ["http://8.8.8.8/", "https://[2606:4700::1]/", "https://example.com/", "http://localhost/"]) {
      expect(() => strict.check(new URL(url))).not.toThrow();
    }
    for (const url of ["ftp://example.com/", "file:///etc/passwd", "data:,x", "ws://example.com/"]) {
      expect(() => strict.check(new URL(url))).toThrow(TypeError);
    }
  });

  it("allows everything with allowPrivate, and listed addresses or ranges", () => {
    expect(new AddressPolicy({ allowPrivate: true }).allows("127.0.0.1")).toBe(true);
    const some = new AddressPolicy({ allowPrivate: false, allowAddresses: ["10.0.0.5", "192.168.7.0/24", "fd00::/8"] });
    expect(["10.0.0.5", "192.168.7.9", "fd00::2", "::ffff:10.0.0.5"].map((a) => some.allows(a))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["10.0.0.6", "192.168.8.1", "127.0.0.1"].map((a) => some.allows(a))).toEqual([false, false, false]);
    expect(() => new AddressPolicy({ allowPrivate: false, allowAddresses: ["nope"] })).toThrow(TypeError);
  });
});

/** Names for tests, never DNS: unknown names fail like getaddrinfo. */
const fakeDns =
  (table: Record<string, string[]>): Resolver =>
  (hostname, _options, callback) => {
    const list = table[hostname];
    if (!list)
      return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), []);
    callback(
      null,
      list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
    );
  };

describe("connect-time lookup", () => {
  const lookup = guardedLookup(
    strict,
    fakeDns({ "public.test": ["93.184.216.34"], "inside.test": ["10.0.0.7"], "mixed.test": ["1.2.3.4", "::1"] }),
  );
  const run = (name: string, all: boolean) =>
    new Promise<unknown>((resolve) => lookup(name, { all }, (err, address) => resolve(err ? err.message : address)));

  it("passes public addresses in both callback forms", async () => {
    expect(await run("public.test", false)).toBe("93.184.216.34");
    expect(await run("public.test", true)).toEqual([{ address: "93.184.216.34", family: 4 }]);
  });

  it("refuses a name with any private address", async () => {
    expect(await run("inside.test", true)).toBe(
      "fetch to inside.test (10.0.0.7) refused: private/loopback addresses are not allowed",
    );
    expect(await run("mixed.test", false)).toMatch(/mixed\.test \(::1\) refused/);
  });
});

describe("redirects", () => {
  let server: Server;
  let port = 0;
  const seen: { url: string; method: string; auth?: string; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        seen.push({
          url: `${req.headers.host}${req.url}`,
          method: req.method ?? "",
          auth: req.headers.authorization,
          body,
        });
        const to = new URL(req.url ?? "/", "http://x").searchParams.get("to");
        if (to)
          res.writeHead(Number(new URL(req.url ?? "/", "http://x").searchParams.get("s") ?? 302), { location: to });
        res.end(to ? "" : `final ${req.method} ${body}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // public.test "resolves" to the test server, which this policy allows; nothing else local is.
  const policy = new AddressPolicy({ allowPrivate: false, allowAddresses: ["127.0.0.1"] });
  const dns = fakeDns({ "public.test": ["127.0.0.1"], "internal.test": ["127.0.0.2"] });
  const request = (url: string, more: Partial<OutboundRequest> = {}): OutboundRequest => ({
    method: "GET",
    url,
    headers: [],
    body: null,
    redirect: "follow",
    signal: new AbortController().signal,
    ...more,
  });
  const go = async (req: OutboundRequest) => {
    const sender = createSender(policy, dns);
    try {
      const res = await fetchFollowing(req, policy, sender.send);
      return { ...res, text: res.body ? await new UndiciResponse(res.body).text() : "" };
    } finally {
      sender.close();
    }
  };
  const at = (path: string) => `http://public.test:${port}${path}`;

  it("follows an allowed redirect and reports the final URL", async () => {
    const res = await go(request(at(`/a?to=${encodeURIComponent("/b")}`)));
    expect([res.status, res.text, res.redirected, res.url]).toEqual([200, "final GET ", true, at("/b")]);
  });

  it("re-checks each hop: a redirect to a name resolving to loopback is refused at connect", async () => {
    const to = encodeURIComponent(`http://internal.test:${port}/secret`);
    const err = await go(request(at(`/a?to=${to}`))).catch((e: Error) => e);
    expect(describeError(err)).toBe(
      "fetch to internal.test (127.0.0.2) refused: private/loopback addresses are not allowed",
    );
  });

  it("re-checks each hop: a redirect to a loopback literal is refused before connecting", async () => {
    const to = encodeURIComponent(`http://127.0.0.3:${port}/`);
    await expect(go(request(at(`/a?to=${to}`)))).rejects.toThrow(
      "fetch to 127.0.0.3 refused: private/loopback addresses are not allowed",
    );
  });

  it("honours redirect modes manual and error", async () => {
    const manual = await go(request(at("/a?to=/b"), { redirect: "manual" }));
    expect([manual.status, manual.redirected]).toEqual([302, false]);
    expect(manual.headers).toContain("/b");
    await expect(go(request(at("/a?to=/b"), { redirect: "error" }))).rejects.toThrow(/redirect mode "error"/);
  });

  it("turns POST into GET after 303 and drops credentials when the origin changes", async () => {
    seen.length = 0;
    const other = encodeURIComponent(`http://127.0.0.1:${port}/c`);
    const res = await go(
      request(at(`/a?s=303&to=${encodeURIComponent(`/b?to=${other}`)}`), {
        method: "POST",
        headers: ["authorization", "secret", "content-type", "text/plain"],
        body: new TextEncoder().encode("payload"),
      }),
    );
    expect(res.text).toBe("final GET ");
    expect(seen.map((s) => [s.method, s.auth, s.body])).toEqual([
      ["POST", "secret", "payload"],
      ["GET", "secret", ""],
      ["GET", undefined, ""],
    ]);
  });

  it("stops after 20 redirects", async () => {
    const loop: Send = async () => new UndiciResponse(null, { status: 302, headers: { location: "/again" } });
    await expect(fetchFollowing(request("http://public.test/"), policy, loop)).rejects.toThrow(
      /more than 20 redirects/,
    );
  });
});

describe("FetchBridge", () => {
  /** A hop that never answers until aborted. */
  const hang: Send = (_url, init) =>
    new Promise((_resolve, reject) => init.signal.addEventListener("abort", () => reject(new Error("aborted"))));

  it("counts subrequests per owning request and refuses past the limit", () => {
    let owner: number | null = 7;
    const bridge = new FetchBridge({ owner: () => owner, enter: () => {}, send: hang });
    bridge.begin(7, 2);
    const start = (id: number) => bridge.functions.fetchStart(id, "GET", "https://example.com/", "", null, "follow");
    expect([start(1), start(2)]).toEqual(["", ""]);
    expect(start(3)).toBe("too many subrequests: the limit is 2 per request");
    expect(bridge.functions.fetchStart(4, "GET", "http://10.0.0.1/", "", null, "follow")).toMatch(/refused/);
    bridge.end(7);
    owner = null;
    expect(start(5)).toBe("");
    expect(bridge.inFlight).toBe(3);
    bridge.abortAll();
    expect(bridge.inFlight).toBe(0);
  });

  it("reports failures through fetchEnd to the owner, and nothing after an abort", async () => {
    const entered: unknown[][] = [];
    const fail: Send = async () => {
      throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED") });
    };
    const bridge = new FetchBridge({ owner: () => 3, enter: (o, n, a) => entered.push([o, n, ...a]), send: fail });
    bridge.begin(3, 50);
    bridge.functions.fetchStart(1, "GET", "https://example.com/", "", null, "follow");
    bridge.functions.fetchStart(2, "GET", "https://example.com/", "", null, "follow");
    bridge.functions.fetchAbort(2);
    await new Promise((r) => setTimeout(r, 10));
    expect(entered).toEqual([[3, "fetchEnd", 1, "fetch failed: connect ECONNREFUSED"]]);
  });

  it("closes a body the isolate stops pulling after idleMs, and only then", async () => {
    const entered: unknown[][] = [];
    const endless: Send = async () =>
      new UndiciResponse(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array([1])) }), { status: 200 });
    const bridge = new FetchBridge({
      owner: () => null,
      enter: (_o, n, a) => entered.push([n, a[0], Date.now()]),
      send: endless,
      idleMs: 200,
    });
    const until = async (ok: () => boolean) => {
      for (let waited = 0; !ok() && waited < 5_000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    };
    bridge.functions.fetchStart(1, "GET", "https://example.com/", "", null, "follow");
    await until(() => entered.length >= 1);
    bridge.functions.fetchPull(1);
    await until(() => entered.length >= 2);
    expect(entered.slice(0, 2).map(([n, id]) => [n, id])).toEqual([
      ["fetchHead", 1],
      ["fetchChunk", 1],
    ]);
    await until(() => entered.length >= 3);
    const [name, id, endedAt] = entered[2] as [string, number, number];
    expect([name, id]).toEqual(["fetchEnd", 1]);
    // Closed no sooner than idleMs after the last chunk the isolate pulled.
    expect(endedAt - (entered[1]?.[2] as number)).toBeGreaterThanOrEqual(190);
    expect(bridge.inFlight).toBe(0);
  });

  describe("env.ASSETS bodies", () => {
    const until = async (ok: () => boolean) => {
      for (let waited = 0; !ok() && waited < 5_000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    };
    /** A bridge whose asset server answers every request with `size` bytes. */
    function assetBridge(size: number, opts: { idleMs?: number } = {}) {
      const entered: unknown[][] = [];
      const bridge = new FetchBridge({
        owner: () => null,
        enter: (_o, n, a) => entered.push([n, ...a]),
        assets: async () => ({ status: 200, headers: [], body: new Uint8Array(size) }),
        assetBodyBytes: 1000,
        ...opts,
      });
      const start = (id: number) =>
        bridge.functions.fetchStart(id, "GET", "http://assets/x", "", null, "follow", false, "assets");
      const ended = (id: number) => entered.find(([n, i]) => n === "fetchEnd" && i === id)?.[2];
      const heads = (id: number) => entered.some(([n, i]) => n === "fetchHead" && i === id);
      return { bridge, entered, start, ended, heads };
    }

    it("bounds the bytes of unread bodies per isolate: past it the app's fetch fails; reading, canceling free them", async () => {
      const { bridge, entered, start, ended, heads } = assetBridge(400);
      expect([start(1), start(2), start(3)]).toEqual(["", "", ""]);
      await until(() => heads(1) && heads(2) && ended(3) !== undefined);
      expect(ended(3)).toBe(
        "fetch failed: env.ASSETS: 800 bytes of asset responses are not read yet, and this one has 400; " +
          "an isolate may hold 1000 (read or cancel the bodies first)",
      );
      expect(bridge.assetBytesHeld).toBe(800);
      // The isolate reads body 1: its bytes leave the host, and another fetch fits.
      bridge.functions.fetchPull(1);
      await until(() => entered.some(([n, i]) => n === "fetchChunk" && i === 1));
      expect(bridge.assetBytesHeld).toBe(400);
      expect(start(4)).toBe("");
      await until(() => heads(4));
      expect(bridge.assetBytesHeld).toBe(800);
      // A canceled body frees what it had not delivered.
      bridge.functions.fetchAbort(2);
      await until(() => bridge.assetBytesHeld === 400);
      bridge.abortAll();
      await until(() => bridge.assetBytesHeld === 0);
      expect(bridge.assetBytesHeld).toBe(0);
    });

    it("a body left unread past idleMs is closed and its bytes freed", async () => {
      const { bridge, start, ended, heads } = assetBridge(1000, { idleMs: 50 });
      expect(start(1)).toBe("");
      await until(() => heads(1));
      await until(() => ended(1) !== undefined);
      expect(ended(1)).toMatch(/was not read for/);
      await until(() => bridge.assetBytesHeld === 0);
      expect(bridge.assetBytesHeld).toBe(0);
      expect(start(2)).toBe("");
      await until(() => heads(2));
      expect(bridge.assetBytesHeld).toBe(1000);
      bridge.abortAll();
    });
  });
});
