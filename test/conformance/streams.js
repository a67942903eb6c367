// https://streams.spec.whatwg.org/ — ReadableStream (default and byte), WritableStream, TransformStream,
// readers, writers, controllers, pipes, tee, from, async iteration and the queuing strategies.

const collect = async (stream) => {
  const out = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
};
const delay = (ms = 0) => new Promise((r) => setTimeout(r, ms));

test(() => {
  for (const name of [
    "ReadableStream",
    "ReadableStreamDefaultReader",
    "ReadableStreamBYOBReader",
    "ReadableStreamDefaultController",
    "ReadableByteStreamController",
    "ReadableStreamBYOBRequest",
    "WritableStream",
    "WritableStreamDefaultWriter",
    "WritableStreamDefaultController",
    "TransformStream",
    "TransformStreamDefaultController",
    "ByteLengthQueuingStrategy",
    "CountQueuingStrategy",
  ]) {
    const desc = Object.getOwnPropertyDescriptor(globalThis, name);
    assert_equals(typeof desc?.value, "function", name);
    assert_false(desc.enumerable, `${name} is not enumerable`);
    assert_true(desc.writable && desc.configurable, `${name} is writable and configurable`);
  }
}, "stream classes are non-enumerable globals");

test(() => {
  assert_throws_js(TypeError, () => new ReadableStreamDefaultController());
  assert_throws_js(TypeError, () => new ReadableByteStreamController());
  assert_throws_js(TypeError, () => new ReadableStreamBYOBRequest());
  assert_throws_js(TypeError, () => new WritableStreamDefaultController());
  assert_throws_js(TypeError, () => new TransformStreamDefaultController());
}, "controllers and requests cannot be constructed");

test(() => {
  assert_equals(Object.prototype.toString.call(new ReadableStream()), "[object ReadableStream]");
  assert_equals(Object.prototype.toString.call(new WritableStream()), "[object WritableStream]");
  assert_equals(Object.prototype.toString.call(new TransformStream()), "[object TransformStream]");
  assert_throws_js(TypeError, () => ReadableStream.prototype.getReader.call({}));
  assert_throws_js(TypeError, () => Object.getOwnPropertyDescriptor(ReadableStream.prototype, "locked").get.call({}));
  assert_throws_js(TypeError, () => WritableStream.prototype.getWriter.call({}));
}, "toStringTag and brand checks");

promise_test(async () => {
  await promise_rejects_js(TypeError, ReadableStream.prototype.cancel.call({}));
  await promise_rejects_js(TypeError, WritableStream.prototype.abort.call({}));
}, "promise-returning methods reject (not throw) on a wrong receiver");

promise_test(async () => {
  const rs = new ReadableStream({
    start(c) {
      c.enqueue("a");
      c.enqueue("b");
      c.close();
    },
  });
  const reader = rs.getReader();
  assert_true(rs.locked);
  assert_deep_equals(await reader.read(), { value: "a", done: false });
  assert_deep_equals(await reader.read(), { value: "b", done: false });
  assert_deep_equals(await reader.read(), { done: true });
  await reader.closed;
  reader.releaseLock();
  assert_false(rs.locked);
}, "default reader reads chunks in order, then done");

test(() => {
  const rs = new ReadableStream();
  rs.getReader();
  assert_throws_js(TypeError, () => rs.getReader());
  assert_throws_js(TypeError, () => new ReadableStreamDefaultReader(rs));
  assert_throws_js(TypeError, () => new ReadableStream().getReader({ mode: "byob" }));
  assert_throws_js(TypeError, () => new ReadableStream().getReader({ mode: "nope" }));
}, "a locked stream refuses a second reader; BYOB needs a byte stream");

promise_test(async () => {
  let cancelReason;
  const rs = new ReadableStream({
    cancel(reason) {
      cancelReason = reason;
    },
  });
  await rs.cancel("why");
  assert_equals(cancelReason, "why");
  const locked = new ReadableStream();
  locked.getReader();
  await promise_rejects_js(TypeError, locked.cancel());
}, "cancel reaches the source; a locked stream cannot be cancelled");

promise_test(async () => {
  const err = new Error("boom");
  let controller;
  const rs = new ReadableStream({
    start(c) {
      controller = c;
    },
  });
  const reader = rs.getReader();
  const pending = reader.read();
  controller.error(err);
  try {
    await pending;
    assert_unreached("read should reject");
  } catch (e) {
    assert_equals(e, err);
  }
  try {
    await reader.closed;
    assert_unreached("closed should reject");
  } catch (e) {
    assert_equals(e, err);
  }
}, "controller.error rejects pending reads and closed");

promise_test(async () => {
  let pulls = 0;
  const rs = new ReadableStream(
    {
      pull(c) {
        pulls++;
        c.enqueue(pulls);
      },
    },
    new CountQueuingStrategy({ highWaterMark: 2 }),
  );
  await delay();
  assert_equals(pulls, 2, "pulls until the queue reaches the high-water mark");
  const reader = rs.getReader();
  assert_deep_equals(await reader.read(), { value: 1, done: false });
  await delay();
  assert_equals(pulls, 3, "one read makes room for one more pull");
}, "pull is driven by backpressure");

promise_test(async () => {
  let controller;
  new ReadableStream(
    {
      start(c) {
        controller = c;
      },
    },
    { highWaterMark: 10, size: (chunk) => chunk.length },
  );
  assert_equals(controller.desiredSize, 10);
  controller.enqueue("abcd");
  assert_equals(controller.desiredSize, 6);
  assert_throws_js(
    RangeError,
    () =>
      new ReadableStream(
        {
          start(c) {
            c.enqueue("x");
          },
        },
        { size: () => -1 },
      ),
  );
}, "desiredSize follows the strategy's size function");

promise_test(async () => {
  const rs = new ReadableStream({
    type: "bytes",
    start(c) {
      c.enqueue(new Uint8Array([1, 2, 3, 4, 5]));
      c.close();
    },
  });
  const reader = rs.getReader({ mode: "byob" });
  assert_true(reader instanceof ReadableStreamBYOBReader);
  const first = await reader.read(new Uint8Array(3));
  assert_array_equals(first.value, [1, 2, 3]);
  const second = await reader.read(new Uint8Array(8));
  assert_array_equals(second.value, [4, 5]);
  const end = await reader.read(new Uint8Array(1));
  assert_true(end.done);
  assert_equals(end.value.byteLength, 0);
}, "BYOB reader fills the caller's views from a byte stream");

promise_test(async () => {
  const rs = new ReadableStream({
    type: "bytes",
    pull(c) {
      const req = c.byobRequest;
      req.view[0] = 42;
      req.respond(1);
      c.close();
    },
  });
  const reader = rs.getReader({ mode: "byob" });
  const { value } = await reader.read(new Uint8Array(4));
  assert_array_equals(value, [42]);
  assert_true(value.buffer.byteLength === 4, "the same buffer comes back (transferred)");
}, "byobRequest.respond writes into the reader's buffer");

promise_test(async () => {
  const rs = new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: 16,
    pull(c) {
      const req = c.byobRequest;
      assert_equals(req.view.byteLength, 16);
      req.view.set([7, 8]);
      req.respond(2);
      c.close();
    },
  });
  const { value } = await rs.getReader().read();
  assert_array_equals(value, [7, 8]);
}, "autoAllocateChunkSize gives default readers a byobRequest");

test(() => {
  new ReadableStream({
    type: "bytes",
    start(c) {
      assert_throws_js(TypeError, () => c.enqueue(new Uint8Array(0)));
      assert_throws_js(TypeError, () => c.enqueue("str"));
    },
  });
  assert_throws_js(RangeError, () => new ReadableStream({ type: "bytes" }, { size: () => 1 }));
  assert_throws_js(TypeError, () => new ReadableStream({ type: "other" }));
}, "byte streams refuse empty or non-view chunks and a size function");

promise_test(async () => {
  const source = ReadableStream.from(["a", "b", "c"]);
  const [left, right] = source.tee();
  assert_true(source.locked);
  assert_array_equals(await collect(left), ["a", "b", "c"]);
  assert_array_equals(await collect(right), ["a", "b", "c"]);
}, "tee gives both branches every chunk");

promise_test(async () => {
  let reason;
  const source = new ReadableStream({
    cancel(r) {
      reason = r;
    },
  });
  const [a, b] = source.tee();
  a.cancel("one");
  await b.cancel("two");
  assert_array_equals(reason, ["one", "two"]);
}, "tee cancels the source only when both branches cancel, with both reasons");

promise_test(async () => {
  const source = new ReadableStream({
    type: "bytes",
    start(c) {
      c.enqueue(new Uint8Array([1, 2]));
      c.close();
    },
  });
  const [a, b] = source.tee();
  const ra = await a.getReader({ mode: "byob" }).read(new Uint8Array(2));
  const rb = await b.getReader().read();
  assert_array_equals(ra.value, [1, 2]);
  assert_array_equals(rb.value, [1, 2]);
  assert_not_equals(ra.value.buffer, rb.value.buffer, "branches do not share memory");
}, "teeing a byte stream gives byte streams with separate buffers");

promise_test(async () => {
  const written = [];
  const ws = new WritableStream({
    write(chunk) {
      written.push(chunk);
    },
  });
  await ReadableStream.from([1, 2, 3]).pipeTo(ws);
  assert_array_equals(written, [1, 2, 3]);
  await promise_rejects_js(TypeError, ws.getWriter().write(4), "the destination was closed");
}, "pipeTo writes every chunk and closes the destination");

promise_test(async () => {
  const ws = new WritableStream();
  await ReadableStream.from([1]).pipeTo(ws, { preventClose: true });
  const writer = ws.getWriter();
  await writer.write(2);
  await writer.close();
}, "pipeTo preventClose leaves the destination open");

promise_test(async () => {
  const controller = new AbortController();
  let sourceCancelled = false;
  let sinkAborted = false;
  const rs = new ReadableStream({
    cancel() {
      sourceCancelled = true;
    },
  });
  const ws = new WritableStream({
    abort() {
      sinkAborted = true;
    },
  });
  const piping = rs.pipeTo(ws, { signal: controller.signal });
  controller.abort();
  await promise_rejects_dom("AbortError", piping);
  assert_true(sourceCancelled && sinkAborted);
}, "pipeTo with an aborted signal cancels the source and aborts the sink");

promise_test(async () => {
  const err = new Error("source failed");
  let abortReason;
  const rs = new ReadableStream({
    start(c) {
      c.error(err);
    },
  });
  const ws = new WritableStream({
    abort(r) {
      abortReason = r;
    },
  });
  try {
    await rs.pipeTo(ws);
    assert_unreached();
  } catch (e) {
    assert_equals(e, err);
  }
  assert_equals(abortReason, err);
}, "pipeTo propagates a source error to the sink");

promise_test(async () => {
  const upper = new TransformStream({
    transform(chunk, c) {
      c.enqueue(chunk.toUpperCase());
    },
    flush(c) {
      c.enqueue("!");
    },
  });
  const out = ReadableStream.from(["a", "b"]).pipeThrough(upper);
  assert_equals(out, upper.readable);
  assert_array_equals(await collect(out), ["A", "B", "!"]);
}, "pipeThrough a TransformStream with transform and flush");

test(() => {
  const rs = new ReadableStream();
  rs.getReader();
  assert_throws_js(TypeError, () => rs.pipeThrough(new TransformStream()));
  assert_throws_js(TypeError, () => new ReadableStream().pipeThrough({ readable: 1, writable: 2 }));
}, "pipeThrough checks locks and its argument synchronously");

promise_test(async () => {
  const ts = new TransformStream();
  const writer = ts.writable.getWriter();
  writer.write("x");
  writer.close();
  assert_array_equals(await collect(ts.readable), ["x"]);
}, "TransformStream without a transformer is the identity");

promise_test(async () => {
  const ts = new TransformStream({
    start(c) {
      c.enqueue("first");
      c.terminate();
    },
  });
  assert_array_equals(await collect(ts.readable), ["first"]);
  await promise_rejects_js(TypeError, ts.writable.getWriter().write("late"));
}, "TransformStreamDefaultController.terminate closes the readable and errors the writable");

promise_test(async () => {
  const err = new Error("bad chunk");
  const ts = new TransformStream({
    transform() {
      throw err;
    },
  });
  // The readable's high-water mark is 0: nothing is transformed until someone reads.
  const read = ts.readable.getReader().read();
  const writer = ts.writable.getWriter();
  try {
    await writer.write("x");
    assert_unreached();
  } catch (e) {
    assert_equals(e, err);
  }
  try {
    await read;
    assert_unreached();
  } catch (e) {
    assert_equals(e, err);
  }
}, "a throwing transform errors both sides");

promise_test(async () => {
  const log = [];
  const ws = new WritableStream(
    {
      async write(chunk) {
        await delay(1);
        log.push(chunk);
      },
      close() {
        log.push("close");
      },
    },
    { highWaterMark: 2 },
  );
  const writer = ws.getWriter();
  assert_equals(writer.desiredSize, 2);
  writer.write("a");
  writer.write("b");
  assert_equals(writer.desiredSize, 0);
  await writer.ready;
  await writer.close();
  assert_array_equals(log, ["a", "b", "close"]);
  await promise_rejects_js(TypeError, writer.write("c"));
}, "WritableStream writes in order, tracks desiredSize, and closes after pending writes");

promise_test(async () => {
  let reason;
  const ws = new WritableStream({
    abort(r) {
      reason = r;
    },
  });
  const writer = ws.getWriter();
  await writer.abort("stop");
  assert_equals(reason, "stop");
  try {
    await writer.closed;
    assert_unreached();
  } catch (e) {
    assert_equals(e, "stop");
  }
}, "WritableStream abort reaches the sink and errors the writer");

promise_test(async () => {
  const err = new Error("sink failed");
  const ws = new WritableStream({
    write() {
      throw err;
    },
  });
  const writer = ws.getWriter();
  try {
    await writer.write(1);
    assert_unreached();
  } catch (e) {
    assert_equals(e, err);
  }
  await promise_rejects_js(Error, writer.closed);
}, "a failing sink write errors the stream");

test(() => {
  const ws = new WritableStream();
  ws.getWriter();
  assert_true(ws.locked);
  assert_throws_js(TypeError, () => ws.getWriter());
}, "a WritableStream has one writer at a time");

promise_test(async () => {
  assert_array_equals(await collect(ReadableStream.from(new Set([1, 2]))), [1, 2]);
  async function* gen() {
    yield "x";
    await delay();
    yield "y";
  }
  assert_array_equals(await collect(ReadableStream.from(gen())), ["x", "y"]);
  assert_throws_js(TypeError, () => ReadableStream.from(42));
  assert_throws_js(TypeError, () => ReadableStream.from({}));
}, "ReadableStream.from accepts sync and async iterables and refuses others");

promise_test(async () => {
  let cancelled = false;
  const rs = new ReadableStream({
    pull(c) {
      c.enqueue(1);
    },
    cancel() {
      cancelled = true;
    },
  });
  for await (const chunk of rs) {
    assert_equals(chunk, 1);
    break;
  }
  assert_true(cancelled, "breaking out of for-await cancels the stream");
  assert_false(rs.locked, "and releases the lock");
}, "async iteration: break cancels the stream");

promise_test(async () => {
  const rs = ReadableStream.from([1, 2, 3]);
  for await (const chunk of rs.values({ preventCancel: true })) {
    assert_equals(chunk, 1);
    break;
  }
  assert_array_equals(await collect(rs), [2, 3]);
}, "async iteration: values({ preventCancel: true }) leaves the stream readable");

test(() => {
  const bl = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
  assert_equals(bl.highWaterMark, 16);
  assert_equals(bl.size(new Uint8Array(5)), 5);
  const count = new CountQueuingStrategy({ highWaterMark: 3 });
  assert_equals(count.highWaterMark, 3);
  assert_equals(count.size("anything"), 1);
  assert_throws_js(TypeError, () => new CountQueuingStrategy());
  assert_throws_js(TypeError, () => new ByteLengthQueuingStrategy({}));
}, "queuing strategies");

promise_test(async () => {
  const ws = new WritableStream({}, new ByteLengthQueuingStrategy({ highWaterMark: 4 }));
  const writer = ws.getWriter();
  assert_equals(writer.desiredSize, 4);
  writer.write(new Uint8Array(3));
  assert_equals(writer.desiredSize, 1);
  await writer.close();
}, "ByteLengthQueuingStrategy sizes a WritableStream's queue");

test(() => {
  assert_throws_js(RangeError, () => new ReadableStream({}, { highWaterMark: -1 }));
  assert_throws_js(RangeError, () => new WritableStream({}, { highWaterMark: Number.NaN }));
  assert_throws_js(RangeError, () => new TransformStream({ readableType: "bytes" }));
}, "invalid high-water marks and transformer types");

test(() => {
  const asyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);
  const iterator = new ReadableStream().values();
  const proto = Object.getPrototypeOf(iterator);
  assert_equals(Object.getPrototypeOf(proto), asyncIteratorPrototype);
  assert_equals(Object.prototype.toString.call(iterator), "[object ReadableStream AsyncIterator]");
  assert_equals(ReadableStream.prototype[Symbol.asyncIterator], ReadableStream.prototype.values);
}, "the async iterator's prototype chain (WebIDL)");

promise_test(async () => {
  let controller;
  const rs = new ReadableStream({
    type: "bytes",
    start(c) {
      controller = c;
    },
  });
  const reading = rs.getReader({ mode: "byob" }).read(new Uint8Array(3), { min: 3 });
  controller.enqueue(new Uint8Array([1]));
  await delay();
  controller.enqueue(new Uint8Array([2, 3]));
  const { value } = await reading;
  assert_array_equals(value, [1, 2, 3]);
}, "BYOB read with { min } waits until the view holds that many bytes");

promise_test(async () => {
  let signal;
  const ws = new WritableStream({
    start(c) {
      signal = c.signal;
    },
    write() {
      return new Promise(() => {});
    },
  });
  assert_true(signal instanceof AbortSignal);
  assert_false(signal.aborted);
  const writer = ws.getWriter();
  writer.write("pending").catch(() => {});
  await writer.abort("reason");
  assert_true(signal.aborted, "abort() aborts the controller's signal");
  assert_equals(signal.reason, "reason");
}, "WritableStreamDefaultController.signal follows abort()");
