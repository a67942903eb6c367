/**
 * A version's asset index: URL path → the content-addressed file that answers it. It lives inside the
 * version's stored manifest (`manifest.assets.files`), so it is versioned, rolls back with the code,
 * and the version's content hash covers it: a version that changes one file is a new version.
 */
import { contentType } from "mime-types";

export type AssetEncoding = "br" | "gzip";

/** One file: its blob, its size, its Content-Type, and the precompressed forms that exist (with their sizes). */
export interface AssetFile {
  hash: string;
  size: number;
  type: string;
  enc?: Partial<Record<AssetEncoding, number>>;
}

/**
 * What an unmatched request gets (Workers' `not_found_handling`): "none" (the app's fetch, or a plain
 * 404 from `env.ASSETS`), "404-page" (the nearest 404.html, with status 404, from `env.ASSETS`), or
 * "single-page-application" (index.html for navigations, at the ingress and from `env.ASSETS`).
 */
export type NotFoundHandling = "none" | "404-page" | "single-page-application";

/** `assets` in nano.json, as parsed. */
export interface AssetsConfig {
  directory: string;
  notFound: NotFoundHandling;
  /** The `env` name of the binding (`env.ASSETS.fetch`). */
  binding: string;
}

/** `assets` in a stored version's manifest: the configuration and the files (the server adds them at deploy). */
export interface AssetIndex extends AssetsConfig {
  files: Record<string, AssetFile>;
}

export interface AssetLimits {
  /** Bytes of one file (Workers: 25 MiB). */
  fileBytes: number;
  /** Files in one version (Workers: 20,000). */
  files: number;
  /** Bytes of all of a version's files together. */
  totalBytes: number;
}

export const DEFAULT_ASSET_LIMITS: AssetLimits = {
  fileBytes: 25 * 1024 * 1024,
  files: 20_000,
  totalBytes: 500 * 1024 * 1024,
};

/** A path's UTF-8 bytes, at most (as Workers' 1,024-character asset paths). */
export const MAX_ASSET_PATH_BYTES = 1024;

export const ASSET_HASH = /^[0-9a-f]{64}$/;

/** Control characters, backslash and NUL: never part of an asset's path. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
const BAD_PATH_CHARS = /[\u0000-\u001f\u007f\\]/;

/**
 * Why `path` cannot name an asset, or null: it starts with "/", and no segment is empty, "." or "..".
 * The same rule decides what the CLI may upload and what a request may look up.
 */
export function assetPathProblem(path: string): string | null {
  if (!path.startsWith("/")) return "it does not start with /";
  if (Buffer.byteLength(path) > MAX_ASSET_PATH_BYTES) return `it is longer than ${MAX_ASSET_PATH_BYTES} bytes`;
  if (BAD_PATH_CHARS.test(path)) return "it holds a backslash or a control character";
  const segments = path.slice(1).split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return "it has an empty, . or .. segment";
  return null;
}

/** Content-Type from the extension (the `mime-types` database), with a charset for text. */
export function contentTypeOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return (name.includes(".") && contentType(name.slice(name.lastIndexOf(".")))) || "application/octet-stream";
}

const COMPRESSIBLE_APPLICATION =
  /^application\/(?:javascript|json|xml|wasm|manifest\+json|ld\+json|rss\+xml|atom\+xml|x-javascript|xhtml\+xml)\b/;

/** Types worth sending compressed (text, scripts, JSON, SVG, WebAssembly, uncompressed fonts). */
export function isCompressible(type: string): boolean {
  return (
    type.startsWith("text/") ||
    COMPRESSIBLE_APPLICATION.test(type) ||
    /^image\/(?:svg\+xml|x-icon|vnd\.microsoft\.icon|bmp)\b/.test(type) ||
    /^font\/(?:ttf|otf)\b/.test(type) ||
    /\+(?:json|xml)\b/.test(type)
  );
}
