/**
 * `request.cf` (https://developers.cloudflare.com/workers/runtime-apis/request/#incomingrequestcfproperties)
 * for every incoming request: the fields the ingress knows itself, and the fields a trusted front proxy
 * sends as headers, by the server's `cfHeaders` mapping (field → header). Without the mapping the geo
 * fields are absent, never guessed.
 */
import type { IncomingMessage } from "node:http";
import { NanoError } from "@nano/worker";

/** The fields a mapping may fill, and their type on Workers (header values are converted to it). */
export const CF_FIELDS: Readonly<Record<string, "string" | "number">> = {
  asn: "number",
  asOrganization: "string",
  city: "string",
  colo: "string",
  continent: "string",
  country: "string",
  isEUCountry: "string",
  latitude: "string",
  longitude: "string",
  metroCode: "string",
  postalCode: "string",
  region: "string",
  regionCode: "string",
  timezone: "string",
  clientTcpRtt: "number",
  httpProtocol: "string",
  tlsVersion: "string",
  tlsCipher: "string",
};

/** `cf` field → request header name (lower-case). */
export type CfHeaderMap = Readonly<Record<string, string>>;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The mapping from the config file (`{"country": "cf-ipcountry"}`) or NANO_CF_HEADERS
 * (`country=cf-ipcountry,asn=x-asn`); a NanoError naming `where` for an unknown field or a bad header.
 */
export function parseCfHeaders(value: unknown, where: string): CfHeaderMap {
  const bad = (message: string): never => {
    throw new NanoError("NANO_ERR_CONFIG", `${where}: cfHeaders ${message}`);
  };
  let entries: [string, unknown][];
  if (typeof value === "string") {
    entries = value
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")
      .map((pair) => {
        const eq = pair.indexOf("=");
        if (eq < 0) bad(`entry "${pair}" is not field=header`);
        return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      });
  } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    entries = Object.entries(value);
  } else {
    return bad('must be an object of field → header, or "field=header,…"');
  }
  const out: Record<string, string> = {};
  for (const [field, header] of entries) {
    if (!Object.hasOwn(CF_FIELDS, field)) {
      bad(`has an unknown field "${field}" (known: ${Object.keys(CF_FIELDS).join(", ")})`);
    }
    if (typeof header !== "string" || !TOKEN.test(header)) bad(`field "${field}" needs a header name`);
    out[field] = (header as string).toLowerCase();
  }
  return out;
}

/** The request's `cf` object as JSON, for the thread to hand the app. */
export function requestCf(incoming: IncomingMessage, map: CfHeaderMap | undefined): string {
  const cf: Record<string, string | number> = {
    httpProtocol: `HTTP/${incoming.httpVersion}`,
    // The ingress speaks plain HTTP: on Workers a request without TLS has an empty tlsVersion.
    tlsVersion: "",
  };
  const encoding = incoming.headers["accept-encoding"];
  if (typeof encoding === "string") cf.clientAcceptEncoding = encoding;
  if (map) {
    for (const field in map) {
      const raw = incoming.headers[map[field] as string];
      if (typeof raw !== "string" || raw === "") continue;
      if (CF_FIELDS[field] === "number") {
        const n = Number(raw);
        if (raw.trim() !== "" && Number.isFinite(n)) cf[field] = n;
      } else cf[field] = raw;
    }
  }
  return JSON.stringify(cf);
}
