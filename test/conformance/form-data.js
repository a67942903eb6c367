// https://xhr.spec.whatwg.org/#interface-formdata, and FormData as a body: the HTML multipart/form-data
// encoding algorithm and the Fetch Standard's formData() parsing.

test(() => {
  const desc = Object.getOwnPropertyDescriptor(globalThis, "FormData");
  assert_equals(typeof desc?.value, "function");
  assert_false(desc.enumerable);
  assert_equals(Object.prototype.toString.call(new FormData()), "[object FormData]");
  new FormData(undefined);
  assert_throws_js(TypeError, () => new FormData({}), "no form elements exist here");
  assert_throws_js(TypeError, () => new FormData(null));
}, "FormData global and constructor");

test(() => {
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("b", "2");
  fd.append("a", "3");
  assert_equals(fd.get("a"), "1");
  assert_array_equals(fd.getAll("a"), ["1", "3"]);
  assert_equals(fd.get("missing"), null);
  assert_array_equals(fd.getAll("missing"), []);
  assert_true(fd.has("b"));
  assert_false(fd.has("B"), "names are case-sensitive");
  fd.delete("a");
  assert_false(fd.has("a"));
  assert_array_equals([...fd.keys()], ["b"]);
}, "append, get, getAll, has, delete");

test(() => {
  const fd = new FormData();
  fd.append("x", "1");
  fd.append("y", "2");
  fd.append("x", "3");
  fd.set("x", "new");
  assert_deep_equals(
    [...fd],
    [
      ["x", "new"],
      ["y", "2"],
    ],
  );
  fd.set("z", "appended");
  assert_deep_equals([...fd.keys()], ["x", "y", "z"]);
}, "set replaces the first entry in place and removes the others, or appends");

test(() => {
  const fd = new FormData();
  fd.append(1, 2);
  fd.append("\ud800", "v\udc00");
  fd.append("nul", null);
  assert_equals(fd.get("1"), "2");
  assert_equals(fd.get("\ufffd"), "v\ufffd", "names and values are USVStrings");
  assert_equals(fd.get("nul"), "null");
  assert_throws_js(TypeError, () => fd.append("only-name"));
  assert_throws_js(TypeError, () => fd.get());
  assert_throws_js(TypeError, () => fd.append("a", "string", "filename"), "a filename needs a Blob");
  assert_throws_js(TypeError, () => fd.set("a", "string", undefined), "three arguments select the Blob overload");
}, "argument conversion and overloads");

test(() => {
  const fd = new FormData();
  fd.append("blob", new Blob(["abc"], { type: "text/x" }));
  const file = fd.get("blob");
  assert_true(file instanceof File, "a Blob becomes a File");
  assert_equals(file.name, "blob");
  assert_equals(file.type, "text/x");
  assert_equals(file.size, 3);
  fd.append("named", new Blob(["z"]), "z.txt");
  assert_equals(fd.get("named").name, "z.txt");
  const original = new File(["f"], "orig.txt", { type: "a/b", lastModified: 123 });
  fd.append("kept", original);
  assert_equals(fd.get("kept"), original, "a File without a filename is kept as is");
  fd.set("renamed", original, "new.txt");
  const renamed = fd.get("renamed");
  assert_not_equals(renamed, original);
  assert_equals(renamed.name, "new.txt");
  assert_equals(renamed.type, "a/b");
  assert_equals(renamed.lastModified, 123);
}, "Blob and File entries");

test(() => {
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("b", "2");
  assert_deep_equals(
    [...fd.entries()],
    [
      ["a", "1"],
      ["b", "2"],
    ],
  );
  assert_deep_equals([...fd.values()], ["1", "2"]);
  const seen = [];
  const thisArg = {};
  fd.forEach(function (value, name, target) {
    seen.push([name, value, target === fd, this === thisArg]);
  }, thisArg);
  assert_deep_equals(seen, [
    ["a", "1", true, true],
    ["b", "2", true, true],
  ]);
  assert_equals(FormData.prototype[Symbol.iterator], FormData.prototype.entries);
}, "iteration: entries, keys, values, forEach, @@iterator");

test(() => {
  const fd = new FormData();
  fd.append("a", "1");
  const it = fd.keys();
  const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
  assert_equals(Object.getPrototypeOf(Object.getPrototypeOf(it)), IteratorPrototype);
  assert_equals(Object.prototype.toString.call(it), "[object FormData Iterator]");
  assert_deep_equals(it.next(), { value: "a", done: false });
  fd.append("b", "2");
  assert_deep_equals(it.next(), { value: "b", done: false }, "iteration is live");
  assert_true(it.next().done);
}, "FormData iterators are live and inherit from %IteratorPrototype%");

promise_test(async () => {
  await promise_rejects_js(
    TypeError,
    Promise.resolve().then(() => FormData.prototype.get.call({}, "a")),
  );
  assert_throws_js(TypeError, () => FormData.prototype.append.call({}, "a", "b"));
}, "FormData brand checks");

promise_test(async () => {
  const fd = new FormData();
  fd.append("field", "value");
  fd.append("upload", new File(["file body"], "hello.txt", { type: "text/plain" }));
  fd.append("raw", new Blob([new Uint8Array([0, 255])]));
  const res = new Response(fd);
  const contentType = res.headers.get("content-type");
  const m = /^multipart\/form-data; boundary=(.+)$/.exec(contentType);
  assert_true(m !== null, `content-type ${contentType}`);
  const boundary = m[1];
  const text = await res.text();
  assert_true(text.startsWith(`--${boundary}\r\n`));
  assert_true(text.endsWith(`--${boundary}--\r\n`));
  assert_true(text.includes('Content-Disposition: form-data; name="field"\r\n\r\nvalue\r\n'));
  assert_true(
    text.includes(
      'Content-Disposition: form-data; name="upload"; filename="hello.txt"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n',
    ),
  );
  assert_true(text.includes('name="raw"; filename="blob"\r\nContent-Type: application/octet-stream\r\n'));
}, "a FormData body is serialized as multipart/form-data with a generated boundary");

promise_test(async () => {
  const fd = new FormData();
  fd.append('quote"line\nbreak', "one\ntwo\rthree\r\nfour");
  fd.append("f", new Blob(["x"]), 'we"ird\n.txt');
  const text = await new Response(fd).text();
  assert_true(text.includes('name="quote%22line%0D%0Abreak"'), "names are newline-normalized and escaped");
  assert_true(text.includes("\r\n\r\none\r\ntwo\r\nthree\r\nfour\r\n"), "string values get CRLF line breaks");
  assert_true(text.includes('filename="we%22ird%0A.txt"'), "filenames are escaped, not normalized");
}, "multipart serialization escapes names and normalizes line breaks");

promise_test(async () => {
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("a", "ünïcödé");
  const bytes = new Uint8Array([1, 2, 3, 0, 13, 10, 45, 45]);
  fd.append("bin", new File([bytes], "b.bin", { type: "application/x-thing" }));
  fd.append("empty", new File([], ""));
  const parsed = await new Response(fd).formData();
  assert_array_equals(parsed.getAll("a"), ["1", "ünïcödé"]);
  const bin = parsed.get("bin");
  assert_true(bin instanceof File);
  assert_equals(bin.name, "b.bin");
  assert_equals(bin.type, "application/x-thing");
  assert_array_equals(new Uint8Array(await bin.arrayBuffer()), bytes);
  assert_equals(parsed.get("empty").name, "");
  assert_equals(parsed.get("empty").size, 0);
  assert_deep_equals([...parsed.keys()], ["a", "a", "bin", "empty"]);
}, "serialize then parse round-trips strings and files");

test(() => {
  assert_equals(FormData.length, 0);
  assert_equals(FormData.prototype.append.length, 2);
  assert_equals(FormData.prototype.set.length, 2);
  assert_equals(FormData.prototype.get.length, 1);
  assert_equals(FormData.prototype.forEach.length, 1);
}, "constructor and method lengths follow WebIDL");
