import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRecorderFile, FlightRecorder, RECORDER_SLOTS, readRecorderFile } from "./flight-recorder.js";

describe("flight recorder", () => {
  it("names the apps whose isolates are being entered, and only those", () => {
    const path = join(mkdtempSync(join(tmpdir(), "nano-rec-")), "r.rec");
    createRecorderFile(path);
    const t1 = new FlightRecorder(path, 1);
    const t2 = new FlightRecorder(path, 2);
    const a = t1.forApp("alpha");
    const b = t2.forApp("bravo-app");
    expect(readRecorderFile(path)).toEqual([]);
    a.enter();
    b.enter();
    expect(readRecorderFile(path).sort()).toEqual(["alpha", "bravo-app"]);
    b.leave();
    expect(readRecorderFile(path)).toEqual(["alpha"]);
    // A thread reuses its slot: the latest app overwrites a longer earlier name completely.
    a.leave();
    t2.forApp("c").enter();
    expect(readRecorderFile(path)).toEqual(["c"]);
    t1.close();
    t2.close();
  });

  it("wraps thread ids onto its slots and survives a missing file", () => {
    const path = join(mkdtempSync(join(tmpdir(), "nano-rec-")), "r.rec");
    createRecorderFile(path);
    new FlightRecorder(path, RECORDER_SLOTS + 3).forApp("late").enter();
    expect(readRecorderFile(path)).toEqual(["late"]);
    expect(readRecorderFile(join(tmpdir(), "no-such-recorder.rec"))).toEqual([]);
  });
});
