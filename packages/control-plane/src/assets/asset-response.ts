/**
 * How a request is answered from a version's assets, the same for the ingress (before the isolate) and
 * for `env.ASSETS.fetch` (from the isolate). Matching follows Workers' default `html_handling`
 * ("auto-trailing-slash") in part: `/docs/` serves docs/index.html, `/docs` redirects (307) to `/docs/`
 * when only docs/index.html exists, `/about` serves about.html when there is no file `about`. Files
 * named index.html or *.html are also served under their own names (Workers would redirect those).
 */
import type { BlobEncoding } from "../registry/asset-store.js";
import type { AssetFile, AssetIndex } from "./asset-index.js";
import { chooseEncoding } from "./asset-negotiation.js";
import { assetKey } from "./asset-path.js";
import { parseRange } from "./asset-range.js";

export interface AssetRequest {
  method: string;
  /** The path as sent, still percent-encoded, without the query. */
  path: string;
  /** "" or "?…". */
  query: string;
  header(name: string): string | undefined;
}

/** Bytes in memory, or a stream of a large blob read piece by piece (asset-cache.ts). */
export type AssetBody = Uint8Array | ReadableStream<Uint8Array>;

export interface AssetAnswer {
  status: number;
  headers: Record<string, string>;
  body: AssetBody | null;
}

/** A `size`-byte form of a blob, or only `range` of it (inclusive); null when the store lacks it. */
export type ReadBody = (
  hash: string,
  encoding: BlobEncoding,
  size: number,
  range: { start: number; end: number } | null,
) => Promise<AssetBody | null>;

/**
 * "ingress": an unmatched request goes on to the app (null), except navigations under
 * single-page-application. "binding": the app asked, so the not-found handling answers it.
 */
export type AssetMode = "ingress" | "binding";

type Match = { file: AssetFile; status: number } | { redirect: string } | null;

/** Browsers mark page loads so (Workers uses the same signal for single-page applications). */
const isNavigation = (req: AssetRequest) => req.header("sec-fetch-mode") === "navigate";

function match(index: AssetIndex, key: string, req: AssetRequest, mode: AssetMode): Match {
  const files = index.files;
  if (key.endsWith("/")) {
    const file = files[`${key}index.html`];
    if (file) return { file, status: 200 };
  } else {
    const file = files[key] ?? files[`${key}.html`];
    if (file) return { file, status: 200 };
    if (files[`${key}/index.html`]) return { redirect: `${req.path}/${req.query}` };
  }
  if (index.notFound === "single-page-application" && (mode === "binding" || isNavigation(req))) {
    const file = files["/index.html"];
    if (file) return { file, status: 200 };
  }
  if (index.notFound === "404-page" && mode === "binding") {
    // The nearest 404.html up the path, as on Workers.
    const parts = key.split("/").slice(0, -1);
    while (parts.length > 0) {
      const file = files[`${parts.join("/")}/404.html`];
      if (file) return { file, status: 404 };
      parts.pop();
    }
  }
  return null;
}

/** If-None-Match: any listed tag (weak or strong) naming this file's content, or "*". */
function notModified(header: string | undefined, hash: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  for (const tag of header.split(",")) {
    const t = tag.trim().replace(/^W\//, "");
    if (t === `"${hash}"` || t.startsWith(`"${hash}-`)) return true;
  }
  return false;
}

/**
 * The answer, or null when the assets have nothing for this request (see AssetMode), or "bad-path"
 * when `env.ASSETS` is asked for a refused path (traversal, encoded separators, control characters).
 * At the ingress such a path names no asset and goes on to the app, as on Workers (`/api/a%2Fb` is
 * the app's business); the lookup is an exact key match, so that cannot reach a file either way.
 */
export async function answerAsset(
  index: AssetIndex,
  req: AssetRequest,
  read: ReadBody,
  mode: AssetMode,
): Promise<AssetAnswer | "bad-path" | null> {
  const method = req.method;
  if (method !== "GET" && method !== "HEAD") {
    if (mode === "ingress") return null;
    return {
      status: 405,
      headers: { allow: "GET, HEAD", "content-type": "text/plain" },
      body: text("method not allowed"),
    };
  }
  const key = assetKey(req.path);
  if (key === null) return mode === "ingress" ? null : "bad-path";
  const found = match(index, key, req, mode);
  if (found === null) {
    return mode === "ingress"
      ? null
      : { status: 404, headers: { "content-type": "text/plain" }, body: text("not found") };
  }
  if ("redirect" in found) return { status: 307, headers: { location: found.redirect }, body: null };
  const { file, status } = found;
  const headers: Record<string, string> = {
    "content-type": file.type,
    "cache-control": "public, max-age=0, must-revalidate",
  };
  if (file.enc) headers.vary = "Accept-Encoding";
  if (status === 200) headers["accept-ranges"] = "bytes";
  if (status === 200 && notModified(req.header("if-none-match"), file.hash)) {
    headers.etag = `"${file.hash}"`;
    delete headers["content-type"];
    return { status: 304, headers, body: null };
  }
  // A range is of the identity form; If-Range with another validator asks for the whole file.
  const ifRange = req.header("if-range");
  const range =
    status === 200 && (!ifRange || ifRange === `"${file.hash}"`) ? parseRange(req.header("range"), file.size) : null;
  if (range === "unsatisfiable") {
    return {
      status: 416,
      headers: { "content-range": `bytes */${file.size}`, "content-type": "text/plain", etag: `"${file.hash}"` },
      body: method === "HEAD" ? null : text("range not satisfiable"),
    };
  }
  const encoding = range === null ? chooseEncoding(req.header("accept-encoding"), file.enc) : null;
  headers.etag = encoding ? `"${file.hash}-${encoding}"` : `"${file.hash}"`;
  if (encoding) headers["content-encoding"] = encoding;
  const fullLength = encoding ? (file.enc?.[encoding] as number) : file.size;
  if (range !== null) {
    headers["content-range"] = `bytes ${range.start}-${range.end}/${file.size}`;
    headers["content-length"] = String(range.end - range.start + 1);
  } else headers["content-length"] = String(fullLength);
  const answerStatus = range !== null ? 206 : status;
  if (method === "HEAD") return { status: answerStatus, headers, body: null };
  const body = await read(file.hash, encoding ?? "identity", fullLength, range);
  if (body === null) throw new Error(`asset blob ${file.hash} (${encoding ?? "identity"}) is missing from the store`);
  return { status: answerStatus, headers, body };
}

const text = (s: string) => new TextEncoder().encode(s);
