import { describe, expect, it } from "vitest";
import { checkConflicts, parseRoute, Router } from "./router.js";

const router = new Router([
  { name: "exact", routes: ["api.example.com"] },
  { name: "wild", routes: ["*.example.com"] },
  { name: "deeper-wild", routes: ["*.eu.example.com"] },
  { name: "api-prefix", routes: ["example.com/api/*"] },
  { name: "api-v2", routes: ["example.com/api/v2/*"] },
  { name: "health", routes: ["example.com/health"] },
  { name: "site", routes: ["example.com"] },
]);
const known = (n: string) => ["local-only", "site"].includes(n);

describe("Router", () => {
  it.each([
    ["api.example.com", "/", "exact"],
    ["API.Example.com", "/x", "exact"],
    ["www.example.com", "/", "wild"],
    ["a.eu.example.com", "/", "deeper-wild"],
    ["example.com", "/api/users", "api-prefix"],
    ["example.com", "/api", "api-prefix"],
    ["example.com", "/api/v2/x", "api-v2"],
    ["example.com", "/health", "health"],
    ["example.com", "/health/deep", "site"],
    ["example.com", "/apix", "site"],
    ["example.com", "/", "site"],
    ["local-only.localhost", "/", "local-only"],
    ["unknown.localhost", "/", null],
    ["other.org", "/", null],
  ])("%s%s → %s", (host, path, app) => {
    expect(router.match(host, path, known)).toBe(app);
  });

  it("a wildcard does not match its bare domain", () => {
    expect(new Router([{ name: "w", routes: ["*.example.com"] }]).match("example.com", "/", known)).toBeNull();
  });

  it("rejects malformed patterns", () => {
    expect(() => parseRoute("exa mple.com", "a")).toThrow(/not a host/);
    expect(() => parseRoute("example.com/a*b", "a")).toThrow(/may only end in/);
    expect(() => parseRoute("*", "a")).toThrow(/not a host/);
  });
});

describe("checkConflicts", () => {
  const others = [{ name: "b", routes: ["b.example.com", "example.com/b/*"], port: 9001 }];
  it("refuses a route or port another app has, and the server's own ports", () => {
    expect(() => checkConflicts("a", { routes: ["B.example.com"] }, others, [])).toThrow(/already served by app "b"/);
    expect(() => checkConflicts("a", { routes: ["example.com/b/*"] }, others, [])).toThrow(/already served/);
    expect(() => checkConflicts("a", { port: 9001 }, others, [])).toThrow(/port 9001 is already used/);
    expect(() => checkConflicts("a", { port: 8080 }, others, [8080])).toThrow(/server's own/);
    expect(() => checkConflicts("a", { routes: ["x.com", "x.com"] }, others, [])).toThrow(/listed twice/);
  });
  it("allows an app to keep its own routes and distinct ones", () => {
    expect(() => checkConflicts("b", { routes: ["b.example.com"], port: 9001 }, others, [])).not.toThrow();
    expect(() =>
      checkConflicts("a", { routes: ["example.com/a/*", "c.example.com"], port: 9002 }, others, []),
    ).not.toThrow();
  });
});
