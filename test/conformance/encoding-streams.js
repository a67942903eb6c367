// https://encoding.spec.whatwg.org/#interface-textdecoderstream and #interface-textencoderstream.

const run = async (transform, chunks) => {
  const writer = transform.writable.getWriter();
  for (const c of chunks) writer.write(c).catch(() => {});
  writer.close().catch(() => {});
  const out = [];
  for await (const chunk of transform.readable) out.push(chunk);
  return out;
};
const flat = (arrays) => arrays.flatMap((a) => [...a]);

test(() => {
  for (const name of ["TextEncoderStream", "TextDecoderStream"]) {
    const desc = Object.getOwnPropertyDescriptor(globalThis, name);
    assert_equals(typeof desc?.value, "function", name);
    assert_false(desc.enumerable);
  }
  const enc = new TextEncoderStream();
  assert_equals(enc.encoding, "utf-8");
  assert_true(enc.readable instanceof ReadableStream);
  assert_true(enc.writable instanceof WritableStream);
  assert_equals(Object.prototype.toString.call(enc), "[object TextEncoderStream]");
  assert_equals(Object.prototype.toString.call(new TextDecoderStream()), "[object TextDecoderStream]");
}, "TextEncoderStream and TextDecoderStream are GenericTransformStreams");

test(() => {
  for (const [cls, members] of [
    [TextEncoderStream, ["encoding", "readable", "writable"]],
    [TextDecoderStream, ["encoding", "fatal", "ignoreBOM", "readable", "writable"]],
  ]) {
    for (const m of members) {
      const desc = Object.getOwnPropertyDescriptor(cls.prototype, m);
      assert_equals(typeof desc?.get, "function", `${cls.name}.prototype.${m} is a getter`);
      assert_throws_js(TypeError, () => desc.get.call({}), `${cls.name}.prototype.${m} brand check`);
    }
  }
}, "attributes are prototype getters with brand checks");

promise_test(async () => {
  const out = await run(new TextEncoderStream(), ["a", "€", "", "😀"]);
  assert_true(
    out.every((c) => c instanceof Uint8Array),
    "chunks are Uint8Arrays",
  );
  assert_equals(out.length, 3, "an empty string enqueues nothing");
  assert_array_equals(flat(out), [0x61, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
}, "TextEncoderStream encodes each chunk as UTF-8");

promise_test(async () => {
  const out = await run(new TextEncoderStream(), ["\ud83d", "\ude00"]);
  assert_array_equals(flat(out), [0xf0, 0x9f, 0x98, 0x80]);
}, "TextEncoderStream joins a surrogate pair split across chunks");

promise_test(async () => {
  assert_array_equals(flat(await run(new TextEncoderStream(), ["a\ud83d"])), [0x61, 0xef, 0xbf, 0xbd]);
  assert_array_equals(flat(await run(new TextEncoderStream(), ["\ud83d", "b"])), [0xef, 0xbf, 0xbd, 0x62]);
  assert_array_equals(flat(await run(new TextEncoderStream(), ["\ude00"])), [0xef, 0xbf, 0xbd]);
}, "TextEncoderStream replaces unpaired surrogates with U+FFFD, also at the end");

promise_test(async () => {
  assert_array_equals(
    flat(await run(new TextEncoderStream(), [123, null])),
    [0x31, 0x32, 0x33, 0x6e, 0x75, 0x6c, 0x6c],
  );
  const ts = new TextEncoderStream();
  const writer = ts.writable.getWriter();
  const read = ts.readable.getReader().read();
  await promise_rejects_js(TypeError, writer.write(Symbol("s")));
  await promise_rejects_js(TypeError, read);
}, "TextEncoderStream converts chunks with ToString; a Symbol errors the stream");

promise_test(async () => {
  const out = await run(new TextDecoderStream(), [new Uint8Array([0xe2, 0x82]), new Uint8Array([0xac, 0x41])]);
  assert_equals(out.join(""), "€A");
  assert_true(
    out.every((c) => typeof c === "string"),
    "chunks are strings",
  );
}, "TextDecoderStream decodes a character split across chunks");

promise_test(async () => {
  const bytes = new Uint8Array([0x00, 0x68, 0x69, 0x00]);
  const out = await run(new TextDecoderStream(), [bytes.buffer.slice(1, 3), new DataView(bytes.buffer, 1, 2)]);
  assert_equals(out.join(""), "hihi");
}, "TextDecoderStream accepts ArrayBuffers and any ArrayBufferView");

promise_test(async () => {
  assert_equals((await run(new TextDecoderStream(), [new Uint8Array([0xe2, 0x82])])).join(""), "\ufffd");
  const fatal = new TextDecoderStream("utf-8", { fatal: true });
  assert_true(fatal.fatal);
  const reading = fatal.readable.getReader().read();
  const writer = fatal.writable.getWriter();
  await promise_rejects_js(TypeError, writer.write(new Uint8Array([0xff])));
  await promise_rejects_js(TypeError, reading);
}, "TextDecoderStream: an incomplete sequence at the end is U+FFFD; fatal errors the stream");

promise_test(async () => {
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x68]);
  assert_equals((await run(new TextDecoderStream(), [bom])).join(""), "h");
  const keep = new TextDecoderStream("utf-8", { ignoreBOM: true });
  assert_true(keep.ignoreBOM);
  assert_equals((await run(keep, [bom])).join(""), "\ufeffh");
}, "TextDecoderStream strips the BOM unless ignoreBOM");

promise_test(async () => {
  const latin = new TextDecoderStream("latin1");
  assert_equals(latin.encoding, "windows-1252");
  assert_equals((await run(latin, [new Uint8Array([0x80, 0xe9])])).join(""), "€é");
  assert_throws_js(RangeError, () => new TextDecoderStream("no-such-label"));
  const utf16 = new TextDecoderStream("utf-16le");
  assert_equals((await run(utf16, [new Uint8Array([0x68]), new Uint8Array([0x00, 0x69, 0x00])])).join(""), "hi");
}, "TextDecoderStream labels and other encodings");

promise_test(async () => {
  const ts = new TextDecoderStream();
  const reading = ts.readable.getReader().read();
  await promise_rejects_js(TypeError, ts.writable.getWriter().write("not bytes"));
  await promise_rejects_js(TypeError, reading);
}, "TextDecoderStream refuses chunks that are not BufferSources");

promise_test(async () => {
  const text = await new Response(ReadableStream.from(["héllo ", "wörld"]).pipeThrough(new TextEncoderStream())).text();
  assert_equals(text, "héllo wörld");
  const parts = [];
  for await (const s of new Blob(["Grüße"]).stream().pipeThrough(new TextDecoderStream())) parts.push(s);
  assert_equals(parts.join(""), "Grüße");
}, "encoding streams compose with bodies and Blob streams");
