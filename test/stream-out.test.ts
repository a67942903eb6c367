/** Response bodies an app streams reach the client as they are produced, and stop when it leaves. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningNano, startServe } from "./helpers.js";

let nano: RunningNano;
beforeAll(async () => {
  nano = await startServe("test/fixtures/stream-out");
});
afterAll(async () => {
  await nano.stop();
});

describe("streamed responses", () => {
  it("delivers each chunk when the app produces it, not when the stream ends", async () => {
    const started = Date.now();
    const res = await fetch(`${nano.url}/slow`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const arrivals: [string, number][] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push([decoder.decode(value), Date.now() - started]);
    }
    expect(arrivals.map(([text]) => text).join("")).toBe("chunk 1\nchunk 2\nchunk 3\n");
    const first = arrivals[0]?.[1] ?? Number.POSITIVE_INFINITY;
    const last = arrivals[arrivals.length - 1]?.[1] ?? 0;
    // The app makes its chunks 400 ms apart (the last 800 ms after the first): delivered as they are
    // made, they arrive well apart; held back until the end, they would arrive together. The bound
    // leaves a loaded machine 400 ms of delay on the first chunk.
    expect(last - first).toBeGreaterThanOrEqual(400);
  });

  it("stops an endless event stream when the client goes away", async () => {
    const controller = new AbortController();
    const res = await fetch(`${nano.url}/events`, { signal: controller.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^data: \d+\n\n/);
    controller.abort();
    // Cancellation crosses the ingress, the thread and the isolate: wait (bounded) until production stops.
    const produced = async () => Number(await (await fetch(`${nano.url}/produced`)).text());
    let before = await produced();
    let stopped = false;
    for (let tries = 0; tries < 25 && !stopped; tries++) {
      await new Promise((r) => setTimeout(r, 200));
      const now = await produced();
      stopped = now === before;
      before = now;
    }
    expect(before).toBeGreaterThan(0);
    expect(stopped).toBe(true);
  });

  it("ends the response early when the app's stream fails, and keeps serving", async () => {
    const res = await fetch(`${nano.url}/broken`);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(await (await fetch(`${nano.url}/after`)).text()).toBe("buffered");
  });
});
