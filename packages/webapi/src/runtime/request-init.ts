// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://fetch.spec.whatwg.org/#requestinit — the RequestInit dictionary converted as WebIDL says:
 * each member read once, in lexicographic order, and converted to its type (enums checked, ByteStrings
 * refused past U+00FF), before the Request constructor's algorithm looks at any of them.
 */
import { type AbortSignal, isAbortSignal } from "./abort.js";
import type { BodyInit } from "./body.js";
import type { Headers, HeadersInit } from "./headers.js";
import { convertHeadersInit } from "./headers.js";
import { nullProto, safeSetOf, TypeError } from "./primordials.js";
import { dictionary, toBoolean, toByteString, toDOMString, toEnum, toUSVString } from "./webidl.js";

export type RequestCache = "default" | "no-store" | "reload" | "no-cache" | "force-cache" | "only-if-cached";
export type RequestCredentials = "omit" | "same-origin" | "include";
export type RequestMode = "navigate" | "same-origin" | "no-cors" | "cors";
export type RequestPriority = "high" | "low" | "auto";
export type RequestRedirect = "follow" | "error" | "manual";
export type ReferrerPolicy =
  | ""
  | "no-referrer"
  | "no-referrer-when-downgrade"
  | "same-origin"
  | "origin"
  | "strict-origin"
  | "origin-when-cross-origin"
  | "strict-origin-when-cross-origin"
  | "unsafe-url";

/** What an app may pass (the TypeScript view). */
export interface RequestInit {
  body?: BodyInit;
  cache?: RequestCache;
  credentials?: RequestCredentials;
  duplex?: "half";
  headers?: HeadersInit;
  integrity?: string;
  keepalive?: boolean;
  method?: string;
  mode?: RequestMode;
  priority?: RequestPriority;
  redirect?: RequestRedirect;
  referrer?: string;
  referrerPolicy?: ReferrerPolicy;
  signal?: AbortSignal | null;
  window?: null;
}

/** The converted dictionary: a member is present only if the app gave it (not undefined). */
export interface ConvertedRequestInit {
  body?: BodyInit;
  cache?: RequestCache;
  credentials?: RequestCredentials;
  duplex?: "half";
  headers?: Headers | [string, string][];
  integrity?: string;
  keepalive?: boolean;
  method?: string;
  mode?: RequestMode;
  priority?: RequestPriority;
  redirect?: RequestRedirect;
  referrer?: string;
  referrerPolicy?: ReferrerPolicy;
  signal?: AbortSignal | null;
  /** Whether any member was given: https://fetch.spec.whatwg.org/#dom-request step 13. */
  any: boolean;
}

const CACHE = safeSetOf(["default", "no-store", "reload", "no-cache", "force-cache", "only-if-cached"]);
const CREDENTIALS = safeSetOf(["omit", "same-origin", "include"]);
const DUPLEX = safeSetOf(["half"]);
const MODE = safeSetOf(["navigate", "same-origin", "no-cors", "cors"]);
const PRIORITY = safeSetOf(["high", "low", "auto"]);
const REDIRECT = safeSetOf(["follow", "error", "manual"]);
const REFERRER_POLICY = safeSetOf([
  "",
  "no-referrer",
  "no-referrer-when-downgrade",
  "same-origin",
  "origin",
  "strict-origin",
  "origin-when-cross-origin",
  "strict-origin-when-cross-origin",
  "unsafe-url",
]);

/** https://webidl.spec.whatwg.org/#js-dictionary for RequestInit. */
export function convertRequestInit(value: unknown): ConvertedRequestInit {
  const dict = dictionary(value, "RequestInit");
  const out: ConvertedRequestInit = nullProto({ any: false });
  let v: unknown;
  // Members in lexicographic order, each read exactly once.
  v = dict.body;
  if (v !== undefined) {
    out.body = v as BodyInit;
    out.any = true;
  }
  v = dict.cache;
  if (v !== undefined) {
    out.cache = toEnum<RequestCache>(v, CACHE, "RequestInit.cache");
    out.any = true;
  }
  v = dict.credentials;
  if (v !== undefined) {
    out.credentials = toEnum<RequestCredentials>(v, CREDENTIALS, "RequestInit.credentials");
    out.any = true;
  }
  v = dict.duplex;
  if (v !== undefined) {
    out.duplex = toEnum<"half">(v, DUPLEX, "RequestInit.duplex");
    out.any = true;
  }
  v = dict.headers;
  if (v !== undefined) {
    out.headers = convertHeadersInit(v);
    out.any = true;
  }
  v = dict.integrity;
  if (v !== undefined) {
    out.integrity = toDOMString(v);
    out.any = true;
  }
  v = dict.keepalive;
  if (v !== undefined) {
    out.keepalive = toBoolean(v);
    out.any = true;
  }
  v = dict.method;
  if (v !== undefined) {
    out.method = toByteString(v, "RequestInit.method");
    out.any = true;
  }
  v = dict.mode;
  if (v !== undefined) {
    out.mode = toEnum<RequestMode>(v, MODE, "RequestInit.mode");
    out.any = true;
  }
  v = dict.priority;
  if (v !== undefined) {
    out.priority = toEnum<RequestPriority>(v, PRIORITY, "RequestInit.priority");
    out.any = true;
  }
  v = dict.redirect;
  if (v !== undefined) {
    out.redirect = toEnum<RequestRedirect>(v, REDIRECT, "RequestInit.redirect");
    out.any = true;
  }
  v = dict.referrer;
  if (v !== undefined) {
    out.referrer = toUSVString(v);
    out.any = true;
  }
  v = dict.referrerPolicy;
  if (v !== undefined) {
    out.referrerPolicy = toEnum<ReferrerPolicy>(v, REFERRER_POLICY, "RequestInit.referrerPolicy");
    out.any = true;
  }
  v = dict.signal;
  if (v !== undefined) {
    if (v !== null && !isAbortSignal(v)) throw new TypeError("RequestInit.signal must be an AbortSignal");
    out.signal = v as AbortSignal | null;
    out.any = true;
  }
  v = dict.window;
  if (v !== undefined) {
    // https://fetch.spec.whatwg.org/#dom-request step 12: only null may be given.
    if (v !== null) throw new TypeError("RequestInit.window can only be null");
    out.any = true;
  }
  return out;
}
