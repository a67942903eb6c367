/**
 * Headers, Request and Response against the Fetch Standard's rules. These run the runtime's sources
 * directly under Node (they use no Node APIs); the isolate tests cover the same classes end to end.
 */
import { describe, expect, it } from "vitest";
import { Headers } from "./headers.js";
import { Request, requestFromHost } from "./request.js";
import { Response, takeResponseBody } from "./response.js";

describe("Headers", () => {
  it("lower-cases, combines duplicates, sorts iteration and keeps Set-Cookie apart", () => {
    const h = new Headers([
      ["X-B", "2"],
      ["x-a", " 1 "],
      ["X-B", "3"],
      ["Set-Cookie", "a=1"],
      ["set-cookie", "b=2"],
    ]);
    expect(h.get("x-b")).toBe("2, 3");
    expect(h.get("X-A")).toBe("1");
    expect([...h]).toEqual([
      ["set-cookie", "a=1"],
      ["set-cookie", "b=2"],
      ["x-a", "1"],
      ["x-b", "2, 3"],
    ]);
    expect(h.getSetCookie()).toEqual(["a=1", "b=2"]);
  });

  it("rejects invalid names and values", () => {
    expect(() => new Headers({ "bad name": "x" })).toThrow(TypeError);
    expect(() => new Headers({ ok: "line\nbreak" })).toThrow(TypeError);
    expect(() => new Headers([["only-one"]] as never)).toThrow(TypeError);
  });

  it("set replaces every value; delete removes them", () => {
    const h = new Headers([
      ["a", "1"],
      ["a", "2"],
      ["b", "x"],
    ]);
    h.set("A", "3");
    expect([...h]).toEqual([
      ["a", "3"],
      ["b", "x"],
    ]);
    h.delete("a");
    expect(h.has("a")).toBe(false);
  });
});

describe("Request", () => {
  it("parses the URL, normalizes methods and refuses bodies on GET/HEAD", () => {
    const r = new Request("https://example.com/a/../b?x", { method: "post", body: "hi" });
    expect([r.url, r.method, r.headers.get("content-type")]).toEqual([
      "https://example.com/b?x",
      "POST",
      "text/plain;charset=UTF-8",
    ]);
    expect(new Request("https://e.com", { method: "patch" }).method).toBe("patch");
    expect(() => new Request("https://e.com", { body: "x" })).toThrow(TypeError);
    expect(() => new Request("/relative")).toThrow(TypeError);
    expect(() => new Request("https://e.com", { method: "CONNECT" })).toThrow(TypeError);
  });

  it("reads its body once, and clones before reading", async () => {
    const r = new Request("https://e.com", { method: "PUT", body: '{"a":1}' });
    const c = r.clone();
    expect(await r.json()).toEqual({ a: 1 });
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toThrow(TypeError);
    expect(await c.text()).toBe('{"a":1}');
  });
});

describe("Response", () => {
  it("validates status and refuses bodies on null-body statuses", () => {
    expect(() => new Response("x", { status: 199 })).toThrow(RangeError);
    expect(() => new Response("x", { status: 600 })).toThrow(RangeError);
    expect(() => new Response("x", { status: 204 })).toThrow(TypeError);
    expect(new Response(null, { status: 204 }).status).toBe(204);
  });

  it("Response.json sets the content type and refuses undefined", async () => {
    const r = Response.json({ a: 1 }, { status: 201 });
    expect([r.status, r.headers.get("content-type"), await r.text()]).toEqual([201, "application/json", '{"a":1}']);
    expect(() => Response.json(undefined)).toThrow(TypeError);
  });

  it("Response.redirect and Response.error", () => {
    const r = Response.redirect("https://e.com/x", 301);
    expect([r.status, r.headers.get("location")]).toEqual([301, "https://e.com/x"]);
    expect(() => r.headers.set("a", "b")).toThrow(TypeError);
    expect(() => Response.redirect("https://e.com", 200)).toThrow(RangeError);
    expect([Response.error().status, Response.error().type]).toEqual([0, "error"]);
  });

  it("exposes bodies as text, bytes and ArrayBuffer", async () => {
    expect(await new Response("é").arrayBuffer()).toEqual(new Uint8Array([0xc3, 0xa9]).buffer);
    expect(await new Response(new Uint8Array([1, 2])).bytes()).toEqual(new Uint8Array([1, 2]));
    expect(new Response("x").ok).toBe(true);
  });
});

describe("requestFromHost", () => {
  it("keeps a URL as the parser would serialize it, whether or not it skips the parser", () => {
    const urls = [
      "http://localhost:8080/",
      "http://127.0.0.1:8080/a/b?c=d&e=%20f",
      "http://EXAMPLE.com/",
      "http://example.com:80/x",
      "https://example.com:443/x",
      "http://0x7f.1/",
      "http://127.1/",
      "http://a.b/x/../y",
      "http://a.b/%2e%2E/y",
      "http://a.b/q?it's",
      "http://a.b/sp ace",
      "http://a.b/ü",
      "http://xn--nxasmq6b.com/",
      "http://a.b:99999/",
      "http://a.b/p?x#frag",
    ];
    for (const url of urls) {
      let expected: string | null;
      try {
        expected = new globalThis.URL(url).href;
      } catch {
        expected = null;
      }
      if (expected === null) expect(() => requestFromHost("GET", url, [], null)).toThrow(TypeError);
      else expect(requestFromHost("GET", url, [], null).url).toBe(expected);
    }
  });
});

describe("bodies on the host path", () => {
  it("requestFromHost keeps the host's bytes and streams them only when asked", async () => {
    const bytes = new TextEncoder().encode("from host");
    const req = requestFromHost("POST", "http://localhost/x", ["content-type", "text/plain"], bytes.buffer);
    expect(await req.text()).toBe("from host");
    const streamed = requestFromHost("POST", "http://localhost/x", [], bytes.buffer);
    const chunks: number[] = [];
    for await (const chunk of streamed.body as unknown as AsyncIterable<Uint8Array>) chunks.push(...chunk);
    expect(new TextDecoder().decode(new Uint8Array(chunks))).toBe("from host");
    expect(requestFromHost("GET", "http://localhost/", [], new ArrayBuffer(0)).body).toBeNull();
  });

  it("takeResponseBody: bytes at once while buffered, the stream once made, a TypeError when used", async () => {
    expect(takeResponseBody(new Response(null))).toBeNull();
    const buffered = takeResponseBody(new Response("now"));
    expect(buffered).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(buffered as Uint8Array)).toBe("now");

    const touched = new Response("later");
    expect(touched.body).not.toBeNull();
    const fromStream = takeResponseBody(touched);
    expect(fromStream).toBe(touched.body);
    expect(await new Response(fromStream as never).text()).toBe("later");

    const used = new Response("x");
    await used.text();
    expect(() => takeResponseBody(used)).toThrow(TypeError);
  });
});
