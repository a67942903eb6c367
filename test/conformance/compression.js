// https://compression.spec.whatwg.org/ — CompressionStream and DecompressionStream for "deflate" (RFC 1950),
// "deflate-raw" (RFC 1951) and "gzip" (RFC 1952), including the errors the spec requires.

const FORMATS = ["deflate", "deflate-raw", "gzip"];
const enc = new TextEncoder();

// "Hello, NANO!" compressed by zlib (Node's zlib.gzipSync / deflateSync / deflateRawSync).
const HELLO = "Hello, NANO!";
const VECTORS = {
  gzip: [
    31, 139, 8, 0, 0, 0, 0, 0, 0, 3, 243, 72, 205, 201, 201, 215, 81, 240, 115, 244, 243, 87, 4, 0, 178, 117, 40, 158,
    12, 0, 0, 0,
  ],
  deflate: [120, 156, 243, 72, 205, 201, 201, 215, 81, 240, 115, 244, 243, 87, 4, 0, 25, 102, 3, 142],
  "deflate-raw": [243, 72, 205, 201, 201, 215, 81, 240, 115, 244, 243, 87, 4, 0],
};

/** Writes the chunks through `transform` and returns every output chunk (or throws the stream's error). */
async function pipe(transform, chunks) {
  const writer = transform.writable.getWriter();
  (async () => {
    for (const c of chunks) await writer.write(c);
    await writer.close();
  })().catch(() => {});
  const out = [];
  for await (const chunk of transform.readable) out.push(chunk);
  return out;
}
const concat = (chunks) => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
};
const compress = async (format, chunks) => concat(await pipe(new CompressionStream(format), chunks));
const decompress = async (format, chunks) => concat(await pipe(new DecompressionStream(format), chunks));
const text = (bytes) => new TextDecoder().decode(bytes);

test(() => {
  for (const name of ["CompressionStream", "DecompressionStream"]) {
    const desc = Object.getOwnPropertyDescriptor(globalThis, name);
    assert_equals(typeof desc?.value, "function");
    assert_false(desc.enumerable);
    const proto = globalThis[name].prototype;
    for (const m of ["readable", "writable"]) {
      const getter = Object.getOwnPropertyDescriptor(proto, m)?.get;
      assert_equals(typeof getter, "function", `${name}.prototype.${m}`);
      assert_throws_js(TypeError, () => getter.call({}));
    }
  }
  const cs = new CompressionStream("gzip");
  assert_true(cs.readable instanceof ReadableStream);
  assert_true(cs.writable instanceof WritableStream);
  assert_equals(Object.prototype.toString.call(cs), "[object CompressionStream]");
  assert_equals(Object.prototype.toString.call(new DecompressionStream("deflate")), "[object DecompressionStream]");
}, "globals, GenericTransformStream getters and brand checks");

test(() => {
  for (const Ctor of [CompressionStream, DecompressionStream]) {
    assert_throws_js(TypeError, () => new Ctor("zip"));
    assert_throws_js(TypeError, () => new Ctor("GZIP"), "formats are case-sensitive");
    assert_throws_js(TypeError, () => new Ctor());
    assert_throws_js(TypeError, () => new Ctor(""));
  }
}, "unsupported formats throw a TypeError");

for (const format of FORMATS) {
  promise_test(async () => {
    const input = `${"NANO streams ".repeat(2000)}${HELLO}`;
    const compressed = await compress(format, [enc.encode(input.slice(0, 5000)), enc.encode(input.slice(5000))]);
    assert_true(compressed.length < input.length / 10, `compressed to ${compressed.length} bytes`);
    assert_equals(text(await decompress(format, [compressed])), input);
  }, `${format}: round trip of repetitive text in several chunks`);

  promise_test(async () => {
    assert_equals(text(await decompress(format, [new Uint8Array(VECTORS[format])])), HELLO);
  }, `${format}: decompresses zlib's output`);

  promise_test(async () => {
    const bytes = VECTORS[format];
    const oneByOne = bytes.map((b) => new Uint8Array([b]));
    assert_equals(text(await decompress(format, oneByOne)), HELLO);
  }, `${format}: decompresses input split into single bytes`);

  promise_test(async () => {
    const out = await pipe(new CompressionStream(format), [new Uint8Array(0), enc.encode("x"), new Uint8Array(0)]);
    assert_true(
      out.every((c) => c instanceof Uint8Array && c.length > 0),
      "non-empty Uint8Array chunks",
    );
    assert_equals(text(await decompress(format, [concat(out)])), "x");
    const empty = await compress(format, []);
    assert_true(empty.length > 0, "an empty input still makes a valid stream");
    assert_equals((await decompress(format, [empty])).length, 0);
  }, `${format}: empty chunks and empty input`);

  promise_test(async () => {
    // Pseudo-random bytes barely compress: output larger than any internal buffer.
    const data = new Uint8Array(200000);
    let x = 1;
    for (let i = 0; i < data.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      data[i] = x >>> 24;
    }
    const back = await decompress(format, [await compress(format, [data])]);
    assert_equals(back.length, data.length);
    assert_true(
      back.every((b, i) => b === data[i]),
      "same bytes",
    );
  }, `${format}: round trip of 200 KB of incompressible bytes`);

  promise_test(async () => {
    const buffer = enc.encode("__buffer source__").buffer;
    const out = await compress(format, [buffer, new DataView(buffer, 2, 6), new Uint16Array([0x4141])]);
    assert_equals(text(await decompress(format, [out])), "__buffer source__buffer" + "AA");
  }, `${format}: accepts ArrayBuffer and any view`);

  promise_test(async () => {
    for (const Ctor of [CompressionStream, DecompressionStream]) {
      const ts = new Ctor(format);
      const reading = ts.readable.getReader().read();
      await promise_rejects_js(TypeError, ts.writable.getWriter().write("a string"));
      await promise_rejects_js(TypeError, reading);
    }
  }, `${format}: chunks that are not BufferSources error the stream`);

  promise_test(async () => {
    const bytes = new Uint8Array(VECTORS[format]);
    await promise_rejects_js(TypeError, decompress(format, [bytes.subarray(0, bytes.length - 3)]), "truncated");
    await promise_rejects_js(TypeError, decompress(format, [new Uint8Array(0)]), "empty input");
    const extra = concat([bytes, new Uint8Array([0])]);
    await promise_rejects_js(TypeError, decompress(format, [extra]), "trailing data");
    await promise_rejects_js(TypeError, decompress(format, [bytes, new Uint8Array([1, 2])]), "trailing chunk");
  }, `${format}: truncated input, empty input and trailing data are TypeErrors`);
}

promise_test(async () => {
  const gz = await compress("gzip", [enc.encode("x")]);
  assert_array_equals(gz.subarray(0, 3), [0x1f, 0x8b, 8], "ID1 ID2 CM");
  assert_equals(gz[3] & 0xe0, 0, "no reserved flags");
  const zl = await compress("deflate", [enc.encode("x")]);
  assert_equals(zl[0] & 0x0f, 8, "CM 8");
  assert_equals((zl[0] * 256 + zl[1]) % 31, 0, "FCHECK");
  assert_equals(zl[1] & 0x20, 0, "no FDICT");
}, "compressed headers are valid RFC 1950 / 1952 headers");

promise_test(async () => {
  const gz = new Uint8Array(VECTORS.gzip);
  const corrupt = async (index, value, what) => {
    const copy = gz.slice();
    copy[index] = value ?? copy[index] ^ 0xff;
    await promise_rejects_js(TypeError, decompress("gzip", [copy]), what);
  };
  await corrupt(0, 0x1e, "ID1");
  await corrupt(1, 0x8c, "ID2");
  await corrupt(2, 7, "CM");
  await corrupt(3, 0x20, "reserved flag");
  await corrupt(gz.length - 8, undefined, "CRC32");
  await corrupt(gz.length - 4, undefined, "ISIZE");
  await corrupt(10, 0xff, "invalid block type");
}, "gzip: corrupt header fields, CRC32 and ISIZE are TypeErrors");

promise_test(async () => {
  const gz = new Uint8Array(VECTORS.gzip);
  for (const [index, value] of [
    [4, 0x12],
    [8, 2],
    [9, 0],
  ]) {
    const copy = gz.slice();
    copy[index] = value;
    assert_equals(text(await decompress("gzip", [copy])), HELLO, `byte ${index} is ignored`);
  }
}, "gzip: MTIME, XFL and OS are ignored");

promise_test(async () => {
  const body = VECTORS.gzip.slice(10);
  const name = [...enc.encode("file.txt"), 0];
  const comment = [...enc.encode("hi"), 0];
  const extra = [3, 0, 1, 2, 3];
  const withFields = [31, 139, 8, 4 | 8 | 16, 0, 0, 0, 0, 0, 3, ...extra, ...name, ...comment];
  assert_equals(text(await decompress("gzip", [new Uint8Array([...withFields, ...body])])), HELLO);
  // FHCRC: the low 16 bits of the CRC-32 of the header before it.
  const header = [31, 139, 8, 2, 0, 0, 0, 0, 0, 3];
  let c = ~0;
  for (const b of header) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  const crc16 = ~c & 0xffff;
  const good = [...header, crc16 & 0xff, crc16 >> 8, ...body];
  assert_equals(text(await decompress("gzip", [new Uint8Array(good)])), HELLO);
  const bad = [...header, (crc16 & 0xff) ^ 1, crc16 >> 8, ...body];
  await promise_rejects_js(TypeError, decompress("gzip", [new Uint8Array(bad)]), "a wrong FHCRC");
  const truncatedName = [31, 139, 8, 8, 0, 0, 0, 0, 0, 3, 65, 66];
  await promise_rejects_js(TypeError, decompress("gzip", [new Uint8Array(truncatedName)]), "an unterminated FNAME");
}, "gzip: FEXTRA, FNAME, FCOMMENT are skipped; FHCRC is checked");

promise_test(async () => {
  const twoMembers = new Uint8Array([...VECTORS.gzip, ...VECTORS.gzip]);
  await promise_rejects_js(TypeError, decompress("gzip", [twoMembers]));
}, "gzip: a second member is an error");

promise_test(async () => {
  const zl = new Uint8Array(VECTORS.deflate);
  const corrupt = async (index, value, what) => {
    const copy = zl.slice();
    copy[index] = value ?? copy[index] ^ 0xff;
    await promise_rejects_js(TypeError, decompress("deflate", [copy]), what);
  };
  await corrupt(0, 0x79, "CM other than 8");
  await corrupt(0, 0x88, "window size above 32K");
  await corrupt(1, 0x9d, "FCHECK");
  await corrupt(zl.length - 1, undefined, "Adler-32");
  await corrupt(zl.length - 4, undefined, "Adler-32");
  // FDICT set with a valid FCHECK: CMF 0x78, FLG 0xbb ((0x78 * 256 + 0xbb) % 31 === 0).
  await corrupt(1, 0xbb, "FDICT");
}, "deflate: bad headers, FDICT and a wrong Adler-32 are TypeErrors");

promise_test(async () => {
  await promise_rejects_js(TypeError, decompress("deflate-raw", [new Uint8Array([0xff, 0xff])]), "block type 3");
  // A stored block whose LEN runs past the data.
  await promise_rejects_js(TypeError, decompress("deflate-raw", [new Uint8Array([1, 10, 0, 245, 255, 65])]));
}, "deflate-raw: invalid and truncated blocks are TypeErrors");

promise_test(async () => {
  const source = new Blob(["piped ".repeat(100)]).stream();
  const roundTrip = source.pipeThrough(new CompressionStream("gzip")).pipeThrough(new DecompressionStream("gzip"));
  assert_equals(await new Response(roundTrip).text(), "piped ".repeat(100));
}, "pipeThrough chains compression and decompression");

promise_test(async () => {
  const ds = new DecompressionStream("deflate-raw");
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  const extra = new Uint8Array([...VECTORS["deflate-raw"], 0x00]);
  writer.write(extra).catch(() => {});
  const first = await reader.read();
  assert_equals(text(first.value), HELLO, "the output before the error is enqueued");
  await promise_rejects_js(TypeError, reader.read());
}, "data decompressed before trailing garbage is still delivered, then the stream errors");

promise_test(async () => {
  // LEN = 1 but NLEN = 0x0000 instead of its one's complement 0xfffe.
  await promise_rejects_js(TypeError, decompress("deflate-raw", [new Uint8Array([1, 1, 0, 0, 0, 65])]));
}, "deflate-raw: a stored block whose NLEN is not the complement of LEN is an error");
