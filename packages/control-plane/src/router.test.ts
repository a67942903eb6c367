import { describe, expect, it } from "vitest";
import { checkConflicts, overlaps, parseRoute, Router } from "./router.js";

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
    expect(() => parseRoute("example.com..", "a")).toThrow(/not a host/);
  });

  it("normalizes case, a trailing dot in the host and a bare trailing slash", () => {
    expect(parseRoute("Example.COM.", "a")).toMatchObject({ host: "example.com", wildcard: false, path: null });
    expect(parseRoute("*.Example.com./API/*", "a")).toMatchObject({
      host: ".example.com",
      path: "/api/",
      prefix: true,
    });
    expect(parseRoute("x.test/", "a")).toMatchObject({ path: "/", prefix: true });
    expect(new Router([{ name: "s", routes: ["example.com."] }]).match("EXAMPLE.com.", "/", known)).toBe("s");
  });

  it("<app>.localhost reaches the app even over a route a registry may still hold", () => {
    const legacy = new Router([{ name: "thief", routes: ["*.localhost", "site.localhost"] }]);
    expect(legacy.match("site.localhost", "/", known)).toBe("site");
    expect(legacy.match("Site.Localhost.", "/x", known)).toBe("site");
    expect(legacy.match("unknown.localhost", "/", known)).toBe("thief");
  });
});

describe("checkConflicts", () => {
  const others = [{ name: "b", routes: ["b.example.com", "example.com/b/*"], port: 9001 }];
  it("refuses a route or port another app has, and the server's own ports", () => {
    expect(() => checkConflicts("a", { routes: ["B.example.com"] }, others, [])).toThrow(
      /route "B.example.com" overlaps route "b.example.com", already served by app "b"/,
    );
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

/**
 * The overlap rules, as pairs of (app A's routes, app B's routes): B's deploy must be refused exactly
 * when some request (host, path) could match a route of each — in either deploy order.
 */
describe("route overlap between apps", () => {
  it.each<[string[], string[], boolean]>([
    // host vs host+path: a host-only route owns every path of its host
    [["conflict.test"], ["conflict.test"], true],
    [["conflict.test"], ["conflict.test/*"], true],
    [["conflict.test"], ["conflict.test/"], true],
    [["conflict.test"], ["conflict.test/api/*"], true],
    [["conflict.test"], ["conflict.test/health"], true],
    [["conflict.test"], ["other.test/"], false],
    [["conflict.test"], ["sub.conflict.test"], false],
    // case and a trailing dot
    [["conflict.test"], ["CONFLICT.Test"], true],
    [["conflict.test"], ["conflict.test."], true],
    [["conflict.test."], ["conflict.test/x/*"], true],
    [["example.com/api/*"], ["EXAMPLE.COM./Api/*"], true],
    // wildcards: any concrete host under them, any wildcard that is a suffix of them or they of it
    [["*.example.com"], ["api.example.com"], true],
    [["*.example.com"], ["a.b.example.com/x"], true],
    [["*.example.com"], ["*.eu.example.com"], true],
    [["*.eu.example.com"], ["*.example.com"], true],
    [["*.example.com/api/*"], ["*.eu.example.com/api/v2/*"], true],
    [["*.example.com"], ["example.com"], false],
    [["*.example.com"], ["myexample.com"], false],
    [["*.example.com"], ["*.xample.com"], false],
    [["*.example.com"], ["*.example.org"], false],
    [["*.example.com/api/*"], ["www.example.com/docs/*"], false],
    // trailing slash: x.test/ is x.test/*, which takes every path
    [["x.test/"], ["x.test/*"], true],
    [["x.test/"], ["x.test/a"], true],
    [["x.test/*"], ["x.test/deep/path/*"], true],
    // exact path vs prefix
    [["x.test/api"], ["x.test/api/*"], true],
    [["x.test/api"], ["x.test/*"], true],
    [["x.test/api"], ["x.test/api/"], true],
    [["x.test/api/"], ["x.test/api/*"], true],
    [["x.test/api/v1"], ["x.test/api/*"], true],
    [["x.test/api"], ["x.test/api"], true],
    [["x.test/api"], ["x.test/apix"], false],
    [["x.test/api"], ["x.test/apix/*"], false],
    [["x.test/api"], ["x.test/api/v1"], false],
    [["x.test/api"], ["x.test/ap/*"], false],
    // prefix vs prefix: one inside the other
    [["x.test/api/*"], ["x.test/api/v2/*"], true],
    [["x.test/api/*"], ["x.test/apiv2/*"], false],
    [["x.test/a/*"], ["x.test/b/*"], false],
    // the reserved .localhost namespace
    [[], ["a.localhost"], true],
    [["x.test"], ["a.localhost"], true],
    [[], ["*.localhost"], true],
    [[], ["localhost"], true],
    [[], ["localhost/api/*"], true],
    [[], ["a.LocalHost."], true],
    [[], ["x.b.localhost"], true],
    [[], ["*.b.localhost"], true],
    [[], ["b.localhost"], false],
    [[], ["b.localhost/api/*"], false],
    [[], ["localhost.test"], false],
    // only overlapping routes count, whatever else either app has
    [["one.test", "two.test/api/*"], ["three.test", "two.test/api/v1"], true],
    [["one.test", "two.test/api/*"], ["three.test", "two.test/web/*"], false],
  ])("A %j, B %j → conflict: %s", (a, b, conflict) => {
    const apps = [{ name: "a", routes: a, port: null }];
    const deployB = () => checkConflicts("b", { routes: b }, apps, []);
    if (conflict) expect(deployB).toThrow(expect.objectContaining({ code: "NANO_ERR_ROUTE_CONFLICT" }));
    else expect(deployB).not.toThrow();
    // Overlap is symmetric: A's deploy is refused as well when B came first (.localhost aside).
    if (!b.some((r) => /localhost\.?(\/|$)/i.test(r))) {
      const deployA = () => checkConflicts("a", { routes: a }, [{ name: "b", routes: b, port: null }], []);
      if (conflict) expect(deployA).toThrow(/NANO_ERR_ROUTE_CONFLICT|overlaps/);
      else expect(deployA).not.toThrow();
      const pairs = a.flatMap((x) => b.map((y) => overlaps(parseRoute(x, "a"), parseRoute(y, "b"))));
      expect(pairs.some(Boolean)).toBe(conflict);
    }
  });

  it("names both routes and the other app", () => {
    const apps = [{ name: "a", routes: ["conflict.test"], port: null }];
    expect(() => checkConflicts("b", { routes: ["conflict.test/"] }, apps, [])).toThrow(
      'route "conflict.test/" overlaps route "conflict.test", already served by app "a"',
    );
    expect(() => checkConflicts("b", { routes: ["a.localhost"] }, apps, [])).toThrow(
      'route "a.localhost" overlaps "a.localhost", which is reserved for app "a"',
    );
    expect(() => checkConflicts("b", { routes: ["*.localhost"] }, apps, [])).toThrow(/reserved \.localhost namespace/);
  });

  it("lets an app overlap its own routes, but not list one twice in any spelling", () => {
    expect(() =>
      checkConflicts("a", { routes: ["*.example.com", "api.example.com", "api.example.com/x"] }, [], []),
    ).not.toThrow();
    expect(() => checkConflicts("a", { routes: ["x.test/", "X.test./*"] }, [], [])).toThrow(/listed twice/);
  });

  it("agrees with the router: no request reaches two apps' routes unless they overlap", () => {
    const specs = [
      "x.test",
      "x.test/",
      "x.test/api",
      "x.test/api/",
      "x.test/api/*",
      "x.test/apix",
      "*.test",
      "*.x.test/api/*",
      "a.x.test",
    ];
    const requests: [string, string][] = [];
    for (const h of ["x.test", "a.x.test", "b.a.x.test", "y.test"])
      for (const p of ["/", "/api", "/api/", "/api//", "/api/v", "/apix", "/apix/", "/other"]) requests.push([h, p]);
    for (const x of specs) {
      for (const y of specs) {
        const rx = new Router([{ name: "a", routes: [x] }]);
        const ry = new Router([{ name: "b", routes: [y] }]);
        const both = requests.some(([h, p]) => rx.match(h, p, () => false) && ry.match(h, p, () => false));
        expect(overlaps(parseRoute(x, "a"), parseRoute(y, "b")), `${x} vs ${y}`).toBe(both);
      }
    }
  });
});
