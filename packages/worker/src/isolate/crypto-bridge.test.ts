/** The host half of WebCrypto: one key table per isolate, never shared, freed on dispose. */
import { createHmac } from "node:crypto";
import { CRYPTO_ERROR_SEPARATOR } from "@nano/webapi";
import { afterEach, describe, expect, it } from "vitest";
import { createCryptoHost } from "./crypto-bridge.js";
import { RuntimeIsolate } from "./runtime-isolate.js";
import { loadRuntimeSnapshot, snapshotCopy } from "./snapshot.js";

const hmacImport = (usages = ["sign"]) =>
  JSON.stringify({ format: "raw", algorithm: { name: "HMAC", hash: { name: "SHA-256" } }, extractable: false, usages });
const sign = (handle: number) => JSON.stringify({ algorithm: { name: "HMAC" }, key: handle });
const bytes = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;
const hex = (b: unknown) => Buffer.from(b as ArrayBuffer).toString("hex");
const hostError = (name: string) => new RegExp(`^${name}${CRYPTO_ERROR_SEPARATOR}`);

describe("crypto host", () => {
  it("keeps one key table per host: a handle names only that host's key", () => {
    const a = createCryptoHost();
    const b = createCryptoHost();
    const ka = JSON.parse(a.crypto("importKey", hmacImport(), bytes("key of a")) as string);
    const kb = JSON.parse(b.crypto("importKey", hmacImport(), bytes("key of b")) as string);
    // Same number, different tables: each host signs with its own key only.
    expect(ka.handle).toBe(kb.handle);
    const expectA = createHmac("sha256", "key of a").update("msg").digest("hex");
    const expectB = createHmac("sha256", "key of b").update("msg").digest("hex");
    expect(hex(a.crypto("sign", sign(ka.handle), bytes("msg")))).toBe(expectA);
    expect(hex(b.crypto("sign", sign(kb.handle), bytes("msg")))).toBe(expectB);
    // A handle the host never issued is refused.
    const kc = JSON.parse(a.crypto("importKey", hmacImport(), bytes("second key of a")) as string);
    expect(() => b.crypto("sign", sign(kc.handle), bytes("msg"))).toThrow(hostError("InvalidAccessError"));
    expect(a.size).toBe(2);
    expect(b.size).toBe(1);
  });

  it("frees keys on clear() and on release", () => {
    const host = createCryptoHost();
    const k1 = JSON.parse(host.crypto("importKey", hmacImport(), bytes("one")) as string);
    const k2 = JSON.parse(host.crypto("importKey", hmacImport(), bytes("two")) as string);
    host.crypto("release", String(k1.handle));
    expect(host.size).toBe(1);
    expect(() => host.crypto("sign", sign(k1.handle), bytes("m"))).toThrow(hostError("InvalidAccessError"));
    host.clear();
    expect(host.size).toBe(0);
    expect(() => host.crypto("sign", sign(k2.handle), bytes("m"))).toThrow(hostError("InvalidAccessError"));
  });

  it("checks usages and extractability itself, whatever the isolate claims", () => {
    const host = createCryptoHost();
    const k = JSON.parse(host.crypto("importKey", hmacImport(["verify"]), bytes("k")) as string);
    expect(() => host.crypto("sign", sign(k.handle), bytes("m"))).toThrow(hostError("InvalidAccessError"));
    expect(() => host.crypto("exportKey", JSON.stringify({ format: "raw", key: k.handle }))).toThrow(
      hostError("InvalidAccessError"),
    );
    expect(() => host.crypto("sign", JSON.stringify({ algorithm: { name: "HMAC" }, key: "1" }), bytes("m"))).toThrow(
      hostError("TypeError"),
    );
  });

  it("refuses work past its CPU budget and counts the time it spent", () => {
    const host = createCryptoHost();
    const k = JSON.parse(host.crypto("importKey", hmacImport(), bytes("k")) as string);
    expect(host.hostNs).toBeGreaterThan(0n);
    host.budget(0n);
    expect(() => host.crypto("sign", sign(k.handle), bytes("m"))).toThrow(hostError("QuotaExceededError"));
    host.crypto("release", String(k.handle)); // giving keys back is always allowed
    host.budget(10n ** 9n);
    expect(() => host.crypto("digest", "SHA-256", bytes("m"))).not.toThrow();
  });

  it("bounds the live keys of one isolate", () => {
    const host = createCryptoHost({ maxKeys: 3 });
    for (let i = 0; i < 3; i++) host.crypto("importKey", hmacImport(), bytes(`k${i}`));
    expect(() => host.crypto("importKey", hmacImport(), bytes("one too many"))).toThrow(
      hostError("QuotaExceededError"),
    );
  });
});

describe("key memory", () => {
  it("bounds the host memory one isolate's keys hold, by their material, and gives it back on release", () => {
    const host = createCryptoHost({ maxBytes: 1024 * 1024 });
    const big = () => new Uint8Array(400 * 1024).fill(Math.floor(Math.random() * 255)).buffer;
    const a = JSON.parse(host.crypto("importKey", hmacImport(), big()) as string);
    host.crypto("importKey", hmacImport(), big());
    expect(host.bytes).toBeGreaterThan(800 * 1024);
    expect(() => host.crypto("importKey", hmacImport(), big())).toThrow(hostError("QuotaExceededError"));
    host.crypto("release", String(a.handle));
    expect(() => host.crypto("importKey", hmacImport(), big())).not.toThrow();
  });
});

describe("crypto keys in real isolates", () => {
  const snapshot = loadRuntimeSnapshot();
  const live: RuntimeIsolate[] = [];
  afterEach(() => {
    for (const i of live.splice(0)) i.dispose();
  });
  const isolate = () => {
    const iso = new RuntimeIsolate({ snapshot: snapshotCopy(snapshot), memoryMb: 64 });
    live.push(iso);
    return iso;
  };
  const makeKeys = (n: number) => `(async () => {
    globalThis.kept ??= [];
    for (let i = 0; i < ${n}; i++) kept.push(await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
    return kept.length;
  })()`;

  it("holds each isolate's keys in its own table and frees them when the isolate is disposed", async () => {
    const a = isolate();
    const b = isolate();
    expect((await a.evaluate(makeKeys(3))).text).toBe("3");
    expect((await b.evaluate(makeKeys(2))).text).toBe("2");
    expect(a.cryptoKeys).toBe(3);
    expect(b.cryptoKeys).toBe(2);
    a.dispose();
    expect(a.cryptoKeys).toBe(0);
    expect(b.cryptoKeys).toBe(2);
    const r = await b.evaluate(`crypto.subtle.sign("HMAC", kept[0], new Uint8Array(1)).then((s) => s.byteLength)`);
    expect(r).toMatchObject({ ok: true, text: "32" });
  });

  it("charges host crypto time to the request and stops crypto work past its CPU budget", async () => {
    const iso = isolate();
    iso.loadApp(
      `__nano_define(function (module) { module.exports = { default: { async fetch() {
        const k = await crypto.subtle.importKey("raw", new Uint8Array(8), "PBKDF2", false, ["deriveBits"]);
        const params = { name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array(8), iterations: 100000 };
        let done = 0, error = "";
        for (let i = 0; i < 1000; i++) {
          try { await crypto.subtle.deriveBits(params, k, 256); done++; } catch (e) { error = e.name; break; }
        }
        return new Response(JSON.stringify({ done, error }));
      } } }; });`,
      { filename: "app:pbkdf2" },
    );
    const out = await iso.fetch(
      { requestId: "r", method: "GET", url: "http://x/", headers: [], body: null },
      { cpuMs: 200, wallMs: 30_000 },
    );
    const body = JSON.parse(Buffer.from(out.response.body as ArrayBuffer).toString());
    expect(body.error).toBe("QuotaExceededError");
    expect(body.done).toBeLessThan(1000);
    expect(out.cpuMs).toBeGreaterThanOrEqual(200);
  });

  it("gives the handles of garbage-collected keys back to the host", async () => {
    const iso = isolate();
    const churn = `(async () => {
      for (let i = 0; i < 3000; i++) await crypto.subtle.importKey("raw", new Uint8Array(16), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    })()`;
    await iso.evaluate(churn);
    // Later entries: allocation makes V8 collect the dropped keys; new keys trigger sweeps.
    for (let i = 0; i < 5; i++) {
      await iso.evaluate("{ let junk = []; for (let i = 0; i < 200; i++) junk.push(new Array(10000).fill(i)); }");
      await iso.evaluate(churn);
    }
    expect(iso.cryptoKeys).toBeLessThan(6000);
  });
});
