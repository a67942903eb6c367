/**
 * The Web-platform conformance suite: every *.js file in this folder except the harness runs inside a
 * real isolate. A failure not listed in expectations.json (with its reason) fails the suite.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compare, runConformanceFile } from "./harness.js";

const files = readdirSync(new URL(".", import.meta.url))
  // The harness and the WPT URL runner (driven by wpt-url.test.ts with its data) are not test files.
  .filter((f) => f.endsWith(".js") && f !== "testharness.js" && !f.startsWith("wpt-"))
  .sort();

describe("Web platform conformance (in a NANO isolate)", () => {
  it.each(files)("%s", async (file) => {
    const results = await runConformanceFile(file);
    const { unexpectedFailures, unexpectedPasses, passed, total } = compare(file, results);
    console.log(`conformance ${file}: ${passed}/${total} passed`);
    expect(total).toBeGreaterThan(0);
    expect(unexpectedFailures).toEqual([]);
    expect(unexpectedPasses).toEqual([]);
  });
});
