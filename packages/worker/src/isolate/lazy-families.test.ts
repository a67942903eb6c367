/**
 * The rarely used families left out of the snapshot (IDNA tables, legacy multi-byte encodings) load on
 * first use inside the isolate, give the answers the eager versions gave, and cost an isolate that never
 * uses them nothing; an app cannot ask the host for anything but those scripts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { RuntimeIsolate } from "./runtime-isolate.js";
import { loadRuntimeSnapshot, snapshotCopy } from "./snapshot.js";

const snapshot = loadRuntimeSnapshot();
const live: RuntimeIsolate[] = [];
afterEach(() => {
  for (const i of live.splice(0)) i.dispose();
});

function isolate(): RuntimeIsolate {
  const iso = new RuntimeIsolate({ snapshot: snapshotCopy(snapshot), memoryMb: 64 });
  live.push(iso);
  return iso;
}

describe("lazily loaded families", () => {
  it("parses internationalised and mixed-case hosts as tr46 does", async () => {
    const iso = isolate();
    const hosts = [
      "http://Example.COM/",
      "http://bücher.example/",
      "http://xn--bcher-kva.example/",
      "http://EXAMPLE.xn--p1ai/",
      "http://\u212Aelvin.test/",
      "http://a.b-c.d9/",
    ];
    const out = await iso.evaluate(`JSON.stringify(${JSON.stringify(hosts)}.map((u) => new URL(u).host))`);
    expect(JSON.parse(out.text)).toEqual([
      "example.com",
      "xn--bcher-kva.example",
      "xn--bcher-kva.example",
      "example.xn--p1ai",
      "kelvin.test",
      "a.b-c.d9",
    ]);
    // A joiner where UTS #46 forbids one is still refused, by the real tables.
    const joiner = await iso.evaluate(
      `(() => { try { new URL("http://a\u200d.example/"); return "parsed" } catch (e) { return e.name } })()`,
    );
    expect(joiner.text).toBe("TypeError");
  });

  it("decodes legacy multi-byte encodings", async () => {
    const iso = isolate();
    const out = await iso.evaluate(
      `[new TextDecoder("shift_jis").decode(new Uint8Array([0x82, 0xa0])), new TextDecoder("gbk").decode(new Uint8Array([0xc4, 0xe3])), new TextDecoder("big5").decode(new Uint8Array([0xa4, 0x40]))].join(",")`,
    );
    expect(out.text).toBe("あ,你,一");
  });

  it("compresses and decompresses with the lazily loaded codec, even after the app replaced the globals it uses", async () => {
    const iso = isolate();
    const out = await iso.evaluate(`(async () => {
      // fflate makes its tables from these when it loads, after this line.
      globalThis.Uint16Array = globalThis.Int32Array = globalThis.Uint32Array = function () { throw new Error("replaced") };
      const text = "hello ".repeat(1000);
      const packed = await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
      const back = await new Response(new Response(packed).body.pipeThrough(new DecompressionStream("gzip"))).text();
      return [packed.byteLength < 200, back === text].join(",");
    })()`);
    expect(out.text).toBe("true,true");
  });

  it("keeps an isolate that never uses them at its restored size, and grows one that does", async () => {
    const plain = isolate();
    const used = isolate();
    await plain.evaluate(`new URL("http://example.com/").host`);
    await used.evaluate(
      `new URL("http://bücher.example/").host + new TextDecoder("gbk").decode(new Uint8Array([0xc4, 0xe3]))`,
    );
    expect(used.heapBytes() - plain.heapBytes()).toBeGreaterThan(300 * 1024);
  });

  it("loads a family once per isolate and keeps using it; the bridge stays out of the app's reach", async () => {
    const iso = isolate();
    // The host hands each script over once per isolate: a second host needing tr46 uses the loaded one.
    expect((await iso.evaluate(`new URL("http://bücher.example/").host`)).text).toBe("xn--bcher-kva.example");
    expect((await iso.evaluate(`new URL("http://ñ.example/").host`)).text).toBe("xn--ida.example");
    expect((await iso.evaluate(`typeof globalThis.__nano_init + typeof globalThis.lazySource`)).text).toBe(
      "undefinedundefined",
    );
  });
});
