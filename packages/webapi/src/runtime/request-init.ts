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
import { nullProto, ObjectFreeze, safeSetOf, TypeError } from "./primordials.js";
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

/** RequestInit's members in lexicographic order (WebIDL's), each with its conversion. */
const MEMBERS: readonly (readonly [string, (value: unknown) => unknown])[] = ObjectFreeze([
  ["body", (v) => v],
  ["cache", (v) => toEnum<RequestCache>(v, CACHE, "RequestInit.cache")],
  ["credentials", (v) => toEnum<RequestCredentials>(v, CREDENTIALS, "RequestInit.credentials")],
  ["duplex", (v) => toEnum<"half">(v, DUPLEX, "RequestInit.duplex")],
  ["headers", (v) => convertHeadersInit(v)],
  ["integrity", (v) => toDOMString(v)],
  ["keepalive", (v) => toBoolean(v)],
  ["method", (v) => toByteString(v, "RequestInit.method")],
  ["mode", (v) => toEnum<RequestMode>(v, MODE, "RequestInit.mode")],
  ["priority", (v) => toEnum<RequestPriority>(v, PRIORITY, "RequestInit.priority")],
  ["redirect", (v) => toEnum<RequestRedirect>(v, REDIRECT, "RequestInit.redirect")],
  ["referrer", (v) => toUSVString(v)],
  ["referrerPolicy", (v) => toEnum<ReferrerPolicy>(v, REFERRER_POLICY, "RequestInit.referrerPolicy")],
  [
    "signal",
    (v) => {
      if (v !== null && !isAbortSignal(v)) throw new TypeError("RequestInit.signal must be an AbortSignal");
      return v;
    },
  ],
  [
    "window",
    (v) => {
      // https://fetch.spec.whatwg.org/#dom-request step 12: only null may be given.
      if (v !== null) throw new TypeError("RequestInit.window can only be null");
      return undefined;
    },
  ],
]);

/** https://webidl.spec.whatwg.org/#js-dictionary for RequestInit: each member read exactly once. */
export function convertRequestInit(value: unknown): ConvertedRequestInit {
  const dict = dictionary(value, "RequestInit");
  const out: ConvertedRequestInit = nullProto({ any: false });
  const record = out as unknown as Record<string, unknown>;
  for (let i = 0; i < MEMBERS.length; i++) {
    // Indexed, not destructured: destructuring goes through the array iterator, which an app can replace.
    const member = MEMBERS[i] as readonly [string, (value: unknown) => unknown];
    const name = member[0];
    const convert = member[1];
    const v = dict[name];
    if (v === undefined) continue;
    const converted = convert(v);
    if (name !== "window") record[name] = converted;
    out.any = true;
  }
  return out;
}
