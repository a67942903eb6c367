/**
 * Stream bodies end to end: `./nano serve` on an app that streams, compresses and parses uploads. The
 * fixture raises limits.cpuMs: a cold isolate compiles the streams and deflate code on its first such
 * request (~25 ms CPU, more on a busy machine), close to the 50 ms default this test is not about.
 */
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningNano, startServe } from "./helpers.js";

describe("nano serve test/fixtures/streams-app", () => {
  let nano: RunningNano;
  beforeAll(async () => {
    nano = await startServe("test/fixtures/streams-app");
  });
  afterAll(async () => {
    expect(await nano.stop()).toBe(0);
  });

  it("answers with a ReadableStream body produced across timers", async () => {
    const res = await fetch(`${nano.url}/stream`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe("chunk 0\nchunk 1\nchunk 2\n");
  });

  it("answers with a gzip CompressionStream body", async () => {
    const res = await fetch(`${nano.url}/gzip`);
    expect(res.headers.get("content-type")).toBe("application/gzip");
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(bytes).toString()).toBe("hello gzip\n".repeat(200));
  });

  it("parses a multipart upload with formData()", async () => {
    const form = new FormData();
    form.append("field", "välue");
    form.append("file", new Blob(["file contents\r\n--not a boundary"], { type: "text/csv" }), "data.csv");
    const res = await fetch(`${nano.url}/upload`, { method: "POST", body: form });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      field: "välue",
      name: "data.csv",
      type: "text/csv",
      size: 31,
      text: "file contents\r\n--not a boundary",
    });
  });

  it("reads the request body as a stream through encoding streams", async () => {
    const res = await fetch(`${nano.url}/upper`, { method: "POST", body: "shout, ünïcode" });
    expect(await res.text()).toBe("SHOUT, ÜNÏCODE");
  });

  it("answers 500 when the response stream errors, and keeps serving", async () => {
    const res = await fetch(`${nano.url}/broken`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: { code: "NANO_ERR_APP_EXCEPTION", message: expect.stringContaining("stream broke") },
    });
    expect((await fetch(`${nano.url}/stream`)).status).toBe(200);
  });
});
