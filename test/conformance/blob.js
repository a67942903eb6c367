// https://w3c.github.io/FileAPI/ — Blob and File.

const bytesOf = async (blob) => [...new Uint8Array(await blob.arrayBuffer())];

test(() => {
  for (const name of ["Blob", "File"]) {
    const desc = Object.getOwnPropertyDescriptor(globalThis, name);
    assert_equals(typeof desc?.value, "function");
    assert_false(desc.enumerable, `${name} is not enumerable`);
  }
  const b = new Blob();
  assert_equals(b.size, 0);
  assert_equals(b.type, "");
  assert_equals(Object.prototype.toString.call(b), "[object Blob]");
  assert_equals(Object.prototype.toString.call(new File([], "f")), "[object File]");
}, "Blob and File globals; an empty Blob");

promise_test(async () => {
  const b = new Blob(["a€", "😀"]);
  assert_equals(b.size, 8);
  assert_array_equals(await bytesOf(b), [0x61, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
}, "string parts are UTF-8 encoded");

promise_test(async () => {
  const buffer = new Uint8Array([1, 2, 3, 4, 5, 6]).buffer;
  const b = new Blob([
    buffer,
    new Uint8Array(buffer, 1, 2),
    new DataView(buffer, 4, 2),
    new Uint16Array([0x0807]),
    new Blob(["x"]),
  ]);
  assert_array_equals(await bytesOf(b), [1, 2, 3, 4, 5, 6, 2, 3, 5, 6, 7, 8, 0x78]);
}, "ArrayBuffer, views (respecting offset and length) and Blob parts concatenate");

promise_test(async () => {
  const source = new Uint8Array([1, 2, 3]);
  const b = new Blob([source]);
  source[0] = 99;
  assert_array_equals(await bytesOf(b), [1, 2, 3]);
  const out = await b.bytes();
  out[1] = 99;
  assert_array_equals(await bytesOf(b), [1, 2, 3], "reads are copies");
}, "a Blob copies its parts and hands out copies");

promise_test(async () => {
  const b = new Blob([{ toString: () => "obj" }, 42, null, "\ud800"]);
  assert_equals(await b.text(), "obj42null\ufffd");
}, "other parts convert to USVString (lone surrogates become U+FFFD)");

test(() => {
  assert_throws_js(TypeError, () => new Blob("abc"), "a string is not a sequence");
  assert_throws_js(TypeError, () => new Blob(null));
  assert_throws_js(TypeError, () => new Blob({}), "not iterable");
  assert_throws_js(TypeError, () => new Blob(123));
  assert_throws_js(TypeError, () => new Blob([Symbol("s")]));
  assert_equals(new Blob(new Set(["ab", "c"])).size, 3, "any iterable is a sequence");
  assert_equals(new Blob(undefined).size, 0);
}, "blobParts must be a sequence");

test(() => {
  assert_equals(new Blob([], { type: "Text/HTML;Charset=UTF-8" }).type, "text/html;charset=utf-8");
  assert_equals(new Blob([], { type: "text/plain\u00e9" }).type, "", "non-ASCII type becomes empty");
  assert_equals(new Blob([], { type: "a\u0019b" }).type, "", "control characters make it empty");
  assert_equals(new Blob([], { type: "anything goes" }).type, "anything goes", "no MIME parsing");
  assert_equals(new Blob([], null).type, "");
  assert_throws_js(TypeError, () => new Blob([], 5), "options must be an object");
}, "type is lower-cased or emptied");

promise_test(async () => {
  assert_equals(await new Blob(["a\r\nb\rc\nd"], { endings: "native" }).text(), "a\nb\nc\nd");
  assert_equals(await new Blob(["a\r\nb"], { endings: "transparent" }).text(), "a\r\nb");
  assert_equals(await new Blob(["a\r\nb"]).text(), "a\r\nb");
  assert_throws_js(TypeError, () => new Blob([], { endings: "invalid" }));
}, "endings: native converts line endings (to LF here), transparent keeps them");

test(() => {
  const order = [];
  new Blob([], {
    get type() {
      order.push("type");
      return "";
    },
    get endings() {
      order.push("endings");
      return "transparent";
    },
  });
  assert_array_equals(order, ["endings", "type"]);
  const parts = [];
  new Blob(
    [
      {
        toString() {
          parts.push("part");
          return "";
        },
      },
    ],
    {
      get type() {
        parts.push("options");
        return "";
      },
    },
  );
  assert_array_equals(parts, ["part", "options"], "parts convert before options are read");
}, "argument and dictionary member conversion order");

promise_test(async () => {
  const b = new Blob(["0123456789"], { type: "text/plain" });
  assert_equals(await b.slice(2, 5).text(), "234");
  assert_equals(await b.slice(-3).text(), "789");
  assert_equals(await b.slice(-3, -1).text(), "78");
  assert_equals(await b.slice(5, 2).text(), "", "start after end is empty");
  assert_equals(await b.slice(-100, 100).text(), "0123456789", "clamped to the size");
  assert_equals(await b.slice(1.7, 3.2).text(), "2", "[Clamp] rounds to the nearest integer");
  assert_equals(await b.slice(2.5, 3.5).text(), "23", "ties go to even");
  assert_equals(await b.slice(Number.NaN, Number.POSITIVE_INFINITY).text(), "0123456789");
  assert_equals(b.slice().type, "", "the slice has no type unless given");
  assert_equals(b.slice(0, 1, "APPLICATION/X").type, "application/x");
  assert_equals(await b.slice(2).slice(1, 3).text(), "34", "slice of a slice");
  assert_equals(b.slice(0, 4).size, 4);
}, "slice with positive, negative, reversed and clamped indices");

promise_test(async () => {
  const b = new Blob([new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0xff])]);
  assert_equals(await b.text(), "h\ufffd", "UTF-8 decode strips the BOM and replaces errors");
  const ab = await b.arrayBuffer();
  assert_true(ab instanceof ArrayBuffer);
  assert_equals(ab.byteLength, 5);
  const u8 = await b.bytes();
  assert_true(u8 instanceof Uint8Array);
  assert_equals(u8.length, 5);
  assert_not_equals((await b.bytes()).buffer, u8.buffer, "each call gives new memory");
}, "text(), arrayBuffer() and bytes()");

promise_test(async () => {
  const b = new Blob(["stream me"]);
  const chunks = [];
  for await (const c of b.stream()) chunks.push(...c);
  assert_equals(new TextDecoder().decode(new Uint8Array(chunks)), "stream me");
  const reader = b.stream().getReader({ mode: "byob" });
  const { value } = await reader.read(new Uint8Array(6));
  assert_equals(new TextDecoder().decode(value), "stream");
  assert_not_equals(b.stream(), b.stream(), "a new stream each time");
}, "stream() is a readable byte stream of the contents");

promise_test(async () => {
  await promise_rejects_js(TypeError, Blob.prototype.text.call({}));
  await promise_rejects_js(TypeError, Blob.prototype.arrayBuffer.call(new Uint8Array(1)));
  assert_throws_js(TypeError, () => Object.getOwnPropertyDescriptor(Blob.prototype, "size").get.call({}));
  assert_throws_js(TypeError, () => Blob.prototype.slice.call({}));
}, "Blob brand checks");

promise_test(async () => {
  const before = Date.now();
  const f = new File(["abc", new Blob(["d"])], "notes.txt", { type: "TEXT/PLAIN" });
  assert_true(f instanceof Blob);
  assert_equals(f.name, "notes.txt");
  assert_equals(f.type, "text/plain");
  assert_equals(f.size, 4);
  assert_equals(await f.text(), "abcd");
  assert_true(f.lastModified >= before && f.lastModified <= Date.now(), "lastModified defaults to now");
  assert_equals(new File([], "x", { lastModified: 42 }).lastModified, 42);
  assert_equals(new File([], "x", { lastModified: 42.9 }).lastModified, 42);
  assert_equals(new File([], "a/b\ud800").name, "a/b\ufffd", "the name is a USVString, slashes kept");
}, "File name, type and lastModified");

test(() => {
  assert_throws_js(TypeError, () => new File(["a"]));
  assert_throws_js(TypeError, () => new File());
  assert_equals(new File([], undefined).name, "undefined");
  const slice = new File(["abc"], "f").slice(1);
  assert_false(slice instanceof File, "a File's slice is a Blob");
  assert_throws_js(TypeError, () => Object.getOwnPropertyDescriptor(File.prototype, "name").get.call(new Blob()));
}, "File needs two arguments; slices are Blobs; brand checks");

promise_test(async () => {
  const f = new File(["x\r\ny"], "f", { endings: "native", type: "a/b" });
  assert_equals(await f.text(), "x\ny");
  const order = [];
  new File([], "f", {
    get type() {
      order.push("type");
      return undefined;
    },
    get lastModified() {
      order.push("lastModified");
      return undefined;
    },
    get endings() {
      order.push("endings");
      return undefined;
    },
  });
  assert_array_equals(order, ["endings", "lastModified", "type"]);
}, "File options: endings and member order");

test(() => {
  assert_equals(Blob.length, 0);
  assert_equals(File.length, 2);
  assert_equals(Blob.prototype.slice.length, 0);
  assert_equals(Blob.prototype.text.length, 0);
}, "constructor and method lengths follow WebIDL");
