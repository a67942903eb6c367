import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { parseCfHeaders, requestCf } from "./request-cf.js";

const incoming = (headers: Record<string, string>, httpVersion = "1.1") =>
  ({ httpVersion, headers }) as unknown as IncomingMessage;

describe("parseCfHeaders", () => {
  it("reads the config file's object and NANO_CF_HEADERS' field=header list", () => {
    expect(parseCfHeaders({ country: "CF-IPCountry" }, "config.json")).toEqual({ country: "cf-ipcountry" });
    expect(parseCfHeaders(" country=x-country , asn=x-asn,", "NANO_CF_HEADERS")).toEqual({
      country: "x-country",
      asn: "x-asn",
    });
  });

  it("refuses an unknown field, a bad header name and a wrong shape, naming where", () => {
    expect(() => parseCfHeaders({ planet: "x-planet" }, "config.json")).toThrow(
      /^config\.json: cfHeaders has an unknown field "planet"/,
    );
    expect(() => parseCfHeaders("country=bad header", "NANO_CF_HEADERS")).toThrow(
      'NANO_CF_HEADERS: cfHeaders field "country" needs a header name',
    );
    expect(() => parseCfHeaders("country", "NANO_CF_HEADERS")).toThrow('entry "country" is not field=header');
    expect(() => parseCfHeaders(["country"], "config.json")).toThrow("must be an object");
  });
});

describe("requestCf", () => {
  it("has what the ingress knows, and no geo field without a mapping", () => {
    expect(JSON.parse(requestCf(incoming({ "cf-ipcountry": "NL" }, "1.0"), undefined))).toEqual({
      httpProtocol: "HTTP/1.0",
      tlsVersion: "",
    });
  });

  it("maps headers to fields, numbers as numbers; a missing or non-numeric value leaves the field out", () => {
    const map = { country: "x-c", asn: "x-asn", clientTcpRtt: "x-rtt", city: "x-city" };
    const cf = JSON.parse(requestCf(incoming({ "x-c": "NL", "x-asn": "1136", "x-rtt": "n/a" }), map));
    expect(cf).toEqual({ httpProtocol: "HTTP/1.1", tlsVersion: "", country: "NL", asn: 1136 });
  });
});
