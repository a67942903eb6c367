/**
 * The response head an app's isolate hands the host, checked as untrusted input: the runtime inside
 * the isolate shares its realm with the app, which may have replaced any built-in the runtime uses.
 * The status is 200-599, the reason phrase and every header field match RFC 9110's grammar (names
 * are tokens, compared case-insensitively; values are field-value characters, never CR, LF or NUL),
 * and framing is the ingress's alone: hop-by-hop fields and Transfer-Encoding are dropped, and a
 * Content-Length survives only as a plain decimal (the ingress drops it again when it sends a body).
 */
import { NanoError } from "../errors.js";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const DECIMAL = /^\d{1,15}$/;
/** Fields about one connection (RFC 9110 §7.6.1) and the body's framing: never the app's to set. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "http2-settings",
]);
const MAX_FIELDS = 1_000;
const MAX_HEAD_BYTES = 256 * 1024;
const MAX_REASON = 512;

export interface ResponseHead {
  status: number;
  statusText: string;
  /** [name, value, …] with lower-case names. */
  headers: string[];
}

function bad(message: string): never {
  throw new NanoError("NANO_ERR_BAD_RESPONSE", `the app's response is malformed: ${message}`);
}

/** `webSocket`: the head of a 101 answer that carries a WebSocket (its only non-final status). */
export function checkResponseHead(
  status: unknown,
  statusText: unknown,
  flat: unknown,
  webSocket = false,
): ResponseHead {
  if (typeof status !== "number" || !Number.isInteger(status)) bad("the status is not an integer");
  // Response.error() (status 0) and anything outside the final-response range are not answers.
  if ((status < 200 || status > 599) && !(webSocket && status === 101))
    bad(`status ${status} is not a status an app may answer with`);
  if (typeof statusText !== "string" || statusText.length > MAX_REASON || !FIELD_VALUE.test(statusText))
    bad("the status text is not a valid reason phrase");
  if (!Array.isArray(flat) || flat.length % 2 !== 0) bad("the header list is not name/value pairs");
  if (flat.length / 2 > MAX_FIELDS) bad(`more than ${MAX_FIELDS} header fields`);
  const headers: string[] = [];
  let bytes = 0;
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i];
    const value = flat[i + 1];
    if (typeof name !== "string" || !TOKEN.test(name))
      bad(`invalid header name ${JSON.stringify(String(name).slice(0, 64))}`);
    if (typeof value !== "string" || !FIELD_VALUE.test(value)) bad(`invalid value for header "${name}"`);
    bytes += name.length + value.length + 4;
    if (bytes > MAX_HEAD_BYTES) bad(`the headers are larger than ${MAX_HEAD_BYTES / 1024} KiB`);
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    if (lower === "content-length" && !DECIMAL.test(value.trim())) continue;
    headers.push(lower, lower === "content-length" ? value.trim() : value);
  }
  return { status, statusText, headers };
}
