/**
 * The WPT URL data files (urltestdata, setters_tests, percent-encoding, toascii, IdnaTestV2, from
 * $NANO_WPT_DIR/url or ../shared/wpt/url beside the checkout) run inside a real NANO isolate. A plain
 * clone has neither: the run then says so in one line and skips these files. Prints pass counts per file; a failure not listed in
 * wpt-url-expectations.json (with its reason) fails the suite, and so does a listed test that passes.
 */
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { loadRuntimeSnapshot, RuntimeIsolate, snapshotCopy } from "@nano/worker/isolate";
import { describe, expect, it } from "vitest";
import { compare, type Expectations, type TestResult } from "./harness.js";

const dir = process.env.NANO_WPT_DIR
  ? pathToFileURL(`${process.env.NANO_WPT_DIR.replace(/\/$/, "")}/url/`)
  : new URL("../../../shared/wpt/url/", import.meta.url);
const present = existsSync(dir);
if (!present) {
  console.log(`WPT URL: skipped, no data at ${dir.pathname} (set NANO_WPT_DIR to a WPT checkout to run it)`);
}
const read = (f: string) => readFileSync(new URL(f, dir), "utf8");
const expectations = JSON.parse(
  readFileSync(new URL("wpt-url-expectations.json", import.meta.url), "utf8"),
) as Expectations;

describe("WPT URL data in a NANO isolate", () => {
  it.skipIf(!present)("passes the WPT URL data files", async () => {
    const isolate = new RuntimeIsolate({ snapshot: snapshotCopy(loadRuntimeSnapshot()), memoryMb: 512 });
    try {
      const data = `globalThis.__wpt = { urltestdata: ${read("urltestdata.json")}, setters: ${read("setters_tests.json")}, percentEncoding: ${read("percent-encoding.json")}, toascii: ${read("toascii.json")}, idna: ${read("IdnaTestV2.json")} }; 0`;
      const loaded = await isolate.evaluate(data, 60_000);
      expect(loaded.ok, loaded.text).toBe(true);
      const run = await isolate.evaluate(readFileSync(new URL("wpt-url-runner.js", import.meta.url), "utf8"), 120_000);
      expect(run.ok, run.text).toBe(true);
      const results = JSON.parse(run.text) as Record<string, TestResult[]>;
      const summary: string[] = [];
      const failures: Record<string, unknown> = {};
      for (const [file, list] of Object.entries(results)) {
        const c = compare(file, list, expectations);
        summary.push(`${file}: ${c.passed}/${c.total}`);
        if (c.unexpectedFailures.length || c.unexpectedPasses.length) {
          failures[file] = {
            unexpectedFailures: c.unexpectedFailures.slice(0, 20),
            unexpectedPasses: c.unexpectedPasses,
          };
        }
      }
      console.log(`WPT URL: ${summary.join(", ")}`);
      expect(Object.keys(results).sort()).toEqual([
        "IdnaTestV2.json",
        "percent-encoding.json",
        "setters_tests.json",
        "toascii.json",
        "urltestdata.json",
      ]);
      expect(failures).toEqual({});
    } finally {
      isolate.dispose();
    }
  });
});
