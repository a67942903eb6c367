import { describe, expect, it } from "vitest";
import { nextOccurrence, parseCron } from "./cron.js";

const at = (iso: string) => Date.parse(iso);

describe("cron expressions", () => {
  it("finds the next occurrence in UTC, strictly after the given time", () => {
    expect(nextOccurrence("*/5 * * * *", at("2026-03-01T10:02:30Z"))).toBe(at("2026-03-01T10:05:00Z"));
    expect(nextOccurrence("*/5 * * * *", at("2026-03-01T10:05:00Z"))).toBe(at("2026-03-01T10:10:00Z"));
    expect(nextOccurrence("30 6 * * *", at("2026-03-01T10:00:00Z"))).toBe(at("2026-03-02T06:30:00Z"));
    expect(nextOccurrence("0 0 1 1 *", at("2026-03-01T00:00:00Z"))).toBe(at("2027-01-01T00:00:00Z"));
  });

  it("combines day-of-month and day-of-week with OR, as Vixie cron does", () => {
    // 2026-03-02 is a Monday; the 15th is a Sunday.
    expect(nextOccurrence("0 0 15 * 1", at("2026-03-01T12:00:00Z"))).toBe(at("2026-03-02T00:00:00Z"));
  });

  it.each([
    ["* * * *", /must have 5 fields/],
    ["0 * * * * *", /must have 5 fields .* it has 6/],
    ["61 * * * *", /is not a valid cron expression/],
    ["* 24 * * *", /is not a valid cron expression/],
    ["@daily x", /must have 5 fields/],
  ])("refuses %j", (expr, message) => {
    expect(() => parseCron(expr)).toThrow(message);
  });
});
