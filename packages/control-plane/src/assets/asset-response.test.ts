import { describe, expect, it } from "vitest";
import type { AssetIndex } from "./asset-index.js";
import { chooseEncoding } from "./asset-negotiation.js";
import { assetKey } from "./asset-path.js";
import { parseRange } from "./asset-range.js";
import { type AssetRequest, answerAsset } from "./asset-response.js";

const H = (c: string) => c.repeat(64);
const index = (notFound: AssetIndex["notFound"] = "none"): AssetIndex => ({
  directory: "./public",
  notFound,
  binding: "ASSETS",
  files: {
    "/index.html": { hash: H("a"), size: 4, type: "text/html; charset=utf-8", enc: { br: 2, gzip: 3 } },
    "/docs/index.html": { hash: H("b"), size: 4, type: "text/html; charset=utf-8" },
    "/about.html": { hash: H("c"), size: 5, type: "text/html; charset=utf-8" },
    "/404.html": { hash: H("d"), size: 3, type: "text/html; charset=utf-8" },
    "/ten.txt": { hash: H("e"), size: 10, type: "text/plain; charset=utf-8" },
  },
});
const BLOBS: Record<string, string> = {
  [`${H("a")}:identity`]: "home",
  [`${H("a")}:br`]: "BR",
  [`${H("a")}:gzip`]: "GZP",
  [`${H("b")}:identity`]: "docs",
  [`${H("c")}:identity`]: "about",
  [`${H("d")}:identity`]: "404",
  [`${H("e")}:identity`]: "0123456789",
};
const read = async (hash: string, enc: string, _size: number, range: { start: number; end: number } | null) => {
  const s = BLOBS[`${hash}:${enc}`];
  const bytes = s === undefined ? null : new TextEncoder().encode(s);
  return bytes && range ? bytes.subarray(range.start, range.end + 1) : bytes;
};
const req = (path: string, headers: Record<string, string> = {}, method = "GET"): AssetRequest => {
  const q = path.indexOf("?");
  return {
    method,
    path: q < 0 ? path : path.slice(0, q),
    query: q < 0 ? "" : path.slice(q),
    header: (n) => headers[n],
  };
};
async function answer(
  path: string,
  headers: Record<string, string> = {},
  opts: { method?: string; mode?: "ingress" | "binding"; index?: AssetIndex } = {},
) {
  const a = await answerAsset(opts.index ?? index(), req(path, headers, opts.method), read, opts.mode ?? "ingress");
  if (a === "bad-path") throw new Error("bad-path");
  if (a === null) return null;
  return {
    status: a.status,
    headers: a.headers,
    body: a.body === null ? null : new TextDecoder().decode(a.body as Uint8Array),
  };
}

describe("assetKey", () => {
  it.each(["/", "/a.txt", "/docs/", "/%C3%BC.txt", "/a%20b", "/..a", "/a..", "/%252e%252e/x"])("accepts %s", (p) => {
    expect(assetKey(p)).not.toBeNull();
  });
  it.each([
    "/../x",
    "/a/../../x",
    "/%2e%2e/x",
    "/%2E./x",
    "/./x",
    "/a/.",
    "/a%2fb",
    "/a%2Fb",
    "/a%5cb",
    "/a\\b",
    "/a%00",
    "/a\u0000",
    "/%0a",
    "/%c0%ae",
    "/%",
    "x",
  ])("refuses %j", (p) => {
    expect(assetKey(p)).toBeNull();
  });
});

describe("parseRange", () => {
  it.each([
    ["bytes=0-0", 10, { start: 0, end: 0 }],
    ["bytes=2-5", 10, { start: 2, end: 5 }],
    ["bytes=5-", 10, { start: 5, end: 9 }],
    ["bytes=5-100", 10, { start: 5, end: 9 }],
    ["bytes=-3", 10, { start: 7, end: 9 }],
    ["bytes=-30", 10, { start: 0, end: 9 }],
    ["bytes=10-", 10, "unsatisfiable"],
    ["bytes=-0", 10, "unsatisfiable"],
    ["bytes=0-", 0, "unsatisfiable"],
    ["bytes=0-1,3-4", 10, null],
    ["bytes=5-2", 10, null],
    ["items=0-1", 10, null],
    ["bytes=-", 10, null],
    [undefined, 10, null],
  ] as const)("%s of %i bytes", (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe("chooseEncoding", () => {
  const both = { br: 1, gzip: 2 };
  it.each([
    ["gzip, deflate, br", both, "br"],
    ["gzip", both, "gzip"],
    ["br;q=0, gzip", both, "gzip"],
    ["*", both, "br"],
    ["*;q=0", both, null],
    ["identity", both, null],
    ["br", { gzip: 2 }, null],
    [undefined, both, null],
  ] as const)("%s", (accept, available, expected) => {
    expect(chooseEncoding(accept, available)).toBe(expected);
  });
});

describe("answerAsset", () => {
  it("answers a file with its type, a strong ETag and its length", async () => {
    expect(await answer("/ten.txt")).toEqual({
      status: 200,
      headers: {
        "content-type": "text/plain; charset=utf-8",
        "cache-control": "public, max-age=0, must-revalidate",
        "accept-ranges": "bytes",
        etag: `"${H("e")}"`,
        "content-length": "10",
      },
      body: "0123456789",
    });
  });

  it("serves index.html for folders, name.html for a bare name, and redirects a folder without its slash", async () => {
    expect((await answer("/"))?.body).toBe("home");
    expect((await answer("/docs/"))?.body).toBe("docs");
    expect((await answer("/about"))?.body).toBe("about");
    expect(await answer("/docs?a=1")).toMatchObject({ status: 307, headers: { location: "/docs/?a=1" } });
  });

  it("HEAD has the headers and no body; other methods are the app's (or 405 from the binding)", async () => {
    expect(await answer("/ten.txt", {}, { method: "HEAD" })).toMatchObject({
      status: 200,
      body: null,
      headers: { "content-length": "10" },
    });
    expect(await answer("/ten.txt", {}, { method: "POST" })).toBeNull();
    expect(await answer("/ten.txt", {}, { method: "POST", mode: "binding" })).toMatchObject({ status: 405 });
  });

  it("304 for a matching If-None-Match (any variant's tag, weak or strong, or *)", async () => {
    for (const tag of [`"${H("a")}"`, `W/"${H("a")}"`, `"x", "${H("a")}-br"`, "*"]) {
      expect(await answer("/index.html", { "if-none-match": tag })).toMatchObject({ status: 304, body: null });
    }
    expect((await answer("/index.html", { "if-none-match": `"${H("b")}"` }))?.status).toBe(200);
  });

  it("ranges: 206 with Content-Range, 416 when unsatisfiable, the whole file when If-Range does not match", async () => {
    expect(await answer("/ten.txt", { range: "bytes=3-4" })).toMatchObject({
      status: 206,
      body: "34",
      headers: { "content-range": "bytes 3-4/10", "content-length": "2" },
    });
    expect(await answer("/ten.txt", { range: "bytes=20-" })).toMatchObject({
      status: 416,
      headers: { "content-range": "bytes */10" },
    });
    expect((await answer("/ten.txt", { range: "bytes=3-4", "if-range": '"old"' }))?.status).toBe(200);
    // A range is of the identity form, even when the client accepts compression.
    expect(await answer("/index.html", { range: "bytes=0-1", "accept-encoding": "br" })).toMatchObject({
      status: 206,
      body: "ho",
    });
  });

  it("sends the precompressed form the client prefers, with its own ETag and Vary", async () => {
    expect(await answer("/index.html", { "accept-encoding": "gzip, br" })).toMatchObject({
      body: "BR",
      headers: { "content-encoding": "br", vary: "Accept-Encoding", etag: `"${H("a")}-br"`, "content-length": "2" },
    });
    expect((await answer("/index.html", { "accept-encoding": "gzip" }))?.body).toBe("GZP");
    expect((await answer("/index.html"))?.headers["content-encoding"]).toBeUndefined();
  });

  it("unmatched: the app's at the ingress; 404.html or index.html from the binding; SPA navigations at the ingress", async () => {
    expect(await answer("/nope")).toBeNull();
    expect(await answer("/nope", {}, { mode: "binding" })).toMatchObject({ status: 404, body: "not found" });
    expect(await answer("/a/b", {}, { mode: "binding", index: index("404-page") })).toMatchObject({
      status: 404,
      body: "404",
    });
    const spa = index("single-page-application");
    expect(await answer("/app/route", {}, { index: spa })).toBeNull();
    expect(await answer("/app/route", { "sec-fetch-mode": "navigate" }, { index: spa })).toMatchObject({
      status: 200,
      body: "home",
    });
    expect(await answer("/app/route", {}, { index: spa, mode: "binding" })).toMatchObject({
      status: 200,
      body: "home",
    });
  });

  it("refuses traversal through the binding; at the ingress such a path is the app's", async () => {
    await expect(answer("/%2e%2e/secret", {}, { mode: "binding" })).rejects.toThrow("bad-path");
    await expect(answer("/docs%2findex.html", {}, { mode: "binding" })).rejects.toThrow("bad-path");
    expect(await answer("/%2e%2e/index.html")).toBeNull();
    expect(await answer("/docs%2findex.html")).toBeNull();
    expect(await answer("/api/discount/50%")).toBeNull();
  });
});
