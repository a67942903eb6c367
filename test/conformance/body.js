// https://fetch.spec.whatwg.org/#body-mixin — Request and Response bodies: BodyInit extraction and its
// Content-Type, stream bodies, bodyUsed, disturbed/locked checks, clone() teeing, and the consumers.

const enc = new TextEncoder();
const streamOf = (...chunks) => ReadableStream.from(chunks.map((c) => (typeof c === "string" ? enc.encode(c) : c)));
const post = (body, headers) => new Request("https://example.com/", { method: "POST", body, headers, duplex: "half" });

promise_test(async () => {
  const res = new Response("hello");
  const body = res.body;
  assert_true(body instanceof ReadableStream);
  assert_equals(res.body, body, "the same stream every time");
  assert_false(res.bodyUsed);
  const chunks = [];
  for await (const c of body) {
    assert_true(c instanceof Uint8Array);
    chunks.push(...c);
  }
  assert_equals(new TextDecoder().decode(new Uint8Array(chunks)), "hello");
  assert_true(res.bodyUsed, "reading the stream uses the body");
  await promise_rejects_js(TypeError, res.text());
}, "a buffered body is readable as a stream");

promise_test(async () => {
  const reader = new Response("bytes").body.getReader({ mode: "byob" });
  const { value } = await reader.read(new Uint8Array(2));
  assert_equals(new TextDecoder().decode(value), "by");
}, "body streams are byte streams (BYOB readers work)");

test(() => {
  assert_equals(new Response().body, null);
  assert_equals(new Response(null).body, null);
  assert_equals(new Request("https://example.com/").body, null);
  assert_equals(Response.error().body, null);
  assert_equals(Response.redirect("https://example.com/").body, null);
}, "no body is a null body");

promise_test(async () => {
  const res = new Response(null);
  assert_equals(await res.text(), "");
  assert_equals(await res.text(), "", "a null body can be read again");
  assert_false(res.bodyUsed);
  assert_equals((await new Response().arrayBuffer()).byteLength, 0);
}, "consuming a null body gives empty results and never uses it");

promise_test(async () => {
  const res = new Response("once");
  assert_equals(await res.text(), "once");
  assert_true(res.bodyUsed);
  await promise_rejects_js(TypeError, res.text());
  await promise_rejects_js(TypeError, res.arrayBuffer());
  await promise_rejects_js(TypeError, res.json());
  assert_throws_js(TypeError, () => res.clone());
  const stream = res.body;
  assert_true(stream.locked, "the body stream of a consumed body is locked");
}, "a body reads once");

promise_test(async () => {
  const res = new Response("x");
  const p1 = res.text();
  const p2 = res.text();
  assert_equals(await p1, "x");
  await promise_rejects_js(TypeError, p2, "the second read fails at once");
}, "concurrent consumption: the second call is rejected");

promise_test(async () => {
  const res = new Response("locked");
  res.body.getReader();
  assert_false(res.bodyUsed, "locking is not using");
  await promise_rejects_js(TypeError, res.text());
  assert_throws_js(TypeError, () => res.clone());
}, "a locked body cannot be consumed or cloned");

promise_test(async () => {
  const res = new Response(streamOf("str", "eam"));
  assert_equals(res.headers.get("content-type"), null, "a stream implies no type");
  assert_equals(await res.text(), "stream");
  assert_true(res.bodyUsed);
}, "a ReadableStream body");

promise_test(async () => {
  const disturbed = streamOf("x");
  await disturbed.getReader().read();
  assert_throws_js(TypeError, () => new Response(disturbed));
  const locked = streamOf("x");
  locked.getReader();
  assert_throws_js(TypeError, () => new Response(locked));
}, "a disturbed or locked stream cannot become a body");

promise_test(async () => {
  await promise_rejects_js(TypeError, new Response(ReadableStream.from(["not bytes"])).text());
  await promise_rejects_js(TypeError, new Response(ReadableStream.from([new ArrayBuffer(1)])).arrayBuffer());
  const err = new Error("source broke");
  const broken = new ReadableStream({
    start(c) {
      c.error(err);
    },
  });
  try {
    await new Response(broken).text();
    assert_unreached();
  } catch (e) {
    assert_equals(e, err);
  }
}, "chunks must be Uint8Arrays; a stream error rejects the consumer");

promise_test(async () => {
  const res = new Response(streamOf("te", "ed"));
  const copy = res.clone();
  assert_equals(await res.text(), "teed");
  assert_equals(await copy.text(), "teed");
  const buffered = new Response("buffered");
  const c2 = buffered.clone();
  const bytes = await buffered.bytes();
  bytes[0] = 0;
  assert_equals(await c2.text(), "buffered", "clones do not share what they hand out");
}, "clone() tees stream bodies and copies buffered ones");

promise_test(async () => {
  const res = new Response("s", { status: 201, statusText: "Made", headers: { "x-a": "1" } });
  const copy = res.clone();
  assert_equals(copy.status, 201);
  assert_equals(copy.statusText, "Made");
  assert_equals(copy.headers.get("x-a"), "1");
  assert_not_equals(copy.headers, res.headers);
  const body = res.body;
  const copy2 = res.clone();
  assert_not_equals(res.body, copy2.body);
  assert_equals(await copy2.text(), "s");
  assert_equals(await new Response(res.body).text(), "s");
  void body;
}, "clone() keeps the head and gives an independent body");

promise_test(async () => {
  const cases = [
    ["text", "text/plain;charset=UTF-8"],
    [new URLSearchParams("a=1&b=2"), "application/x-www-form-urlencoded;charset=UTF-8"],
    [new Blob(["b"], { type: "Image/PNG" }), "image/png"],
    [new Blob(["b"]), null],
    [new ArrayBuffer(1), null],
    [new Uint8Array(1), null],
    [new DataView(new ArrayBuffer(1)), null],
  ];
  for (const [body, expected] of cases) {
    assert_equals(new Response(body).headers.get("content-type"), expected, String(body));
  }
  assert_equals(new Response("x", { headers: { "content-type": "mine" } }).headers.get("content-type"), "mine");
  assert_equals(await new Response(new URLSearchParams("a=1&b=%20")).text(), "a=1&b=+");
  assert_equals(await new Response({ toString: () => "obj" }).text(), "obj", "other values are stringified");
}, "BodyInit types and the Content-Type they imply");

promise_test(async () => {
  const source = new Uint8Array([1, 2, 3]);
  const res = new Response(source.subarray(1));
  source[1] = 9;
  assert_array_equals(await res.bytes(), [2, 3], "views are copied at construction");
  const ab = await new Response("ab").arrayBuffer();
  assert_true(ab instanceof ArrayBuffer);
  assert_equals(ab.byteLength, 2);
  const bytes = await new Response("ab").bytes();
  assert_true(bytes instanceof Uint8Array);
}, "bytes() and arrayBuffer()");

promise_test(async () => {
  assert_equals(await new Response(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xff])).text(), "a\ufffd");
  assert_deep_equals(await new Response('{"a":[1,null]}').json(), { a: [1, null] });
  await promise_rejects_js(SyntaxError, new Response("{nope").json());
}, "text() decodes UTF-8 without BOM; json() parses or rejects with SyntaxError");

promise_test(async () => {
  const blob = await new Response("blob body", { headers: { "content-type": "Text/Plain; Charset=UTF-8" } }).blob();
  assert_true(blob instanceof Blob);
  assert_equals(blob.type, "text/plain;charset=UTF-8", "the parsed and serialized MIME type");
  assert_equals(await blob.text(), "blob body");
  assert_equals((await new Response("x").blob()).type, "text/plain;charset=UTF-8");
  assert_equals((await new Response(new Uint8Array(1)).blob()).type, "");
  assert_equals((await new Response("x", { headers: { "content-type": "nonsense" } }).blob()).type, "");
  const src = new Blob(["round trip"], { type: "a/b" });
  const back = await new Response(src).blob();
  assert_equals(back.type, "a/b");
  assert_equals(await back.text(), "round trip");
}, "blob() takes its type from Content-Type");

promise_test(async () => {
  const fd = await new Response("a=1&b=%C3%A9&a=x+y&c", {
    headers: { "content-type": "application/x-www-form-urlencoded" },
  }).formData();
  assert_array_equals(fd.getAll("a"), ["1", "x y"]);
  assert_equals(fd.get("b"), "é");
  assert_equals(fd.get("c"), "");
  const fromParams = await new Response(new URLSearchParams({ k: "v" })).formData();
  assert_equals(fromParams.get("k"), "v");
}, "formData() parses application/x-www-form-urlencoded");

promise_test(async () => {
  const body =
    "--XyZ\r\n" +
    'Content-Disposition: form-data; name="title"\r\n' +
    "\r\n" +
    "Hello\r\nworld\r\n" +
    "--XyZ\r\n" +
    'Content-Disposition: form-data; name="doc"; filename="d.json"\r\n' +
    "Content-Type: application/json\r\n" +
    "\r\n" +
    '{"k":1}\r\n' +
    "--XyZ\r\n" +
    'Content-Disposition: form-data; name="plain"; filename="p.txt"\r\n' +
    "\r\n" +
    "no type\r\n" +
    "--XyZ--\r\n";
  const fd = await post(body, { "content-type": 'multipart/form-data; boundary="XyZ"' }).formData();
  assert_equals(fd.get("title"), "Hello\r\nworld");
  const doc = fd.get("doc");
  assert_true(doc instanceof File);
  assert_equals(doc.name, "d.json");
  assert_equals(doc.type, "application/json");
  assert_equals(await doc.text(), '{"k":1}');
  assert_equals(fd.get("plain").type, "text/plain", "a part without Content-Type is text/plain");
}, "formData() parses multipart/form-data with filenames and part types");

promise_test(async () => {
  const body = '--b\r\nContent-Disposition: form-data; name="a%22b%0Ac"\r\n\r\nv\r\n--b--';
  const fd = await new Response(body, { headers: { "content-type": "multipart/form-data; boundary=b" } }).formData();
  assert_equals(fd.get('a"b\nc'), "v", "%22 and %0A are decoded in names");
}, "multipart names are unescaped");

promise_test(async () => {
  const type = (t) => ({ headers: { "content-type": t } });
  await promise_rejects_js(TypeError, new Response("a=1", type("text/plain")).formData(), "not a form type");
  await promise_rejects_js(TypeError, new Response("a=1").formData());
  await promise_rejects_js(TypeError, new Response("--b--", type("multipart/form-data")).formData(), "no boundary");
  await promise_rejects_js(TypeError, new Response("garbage", type("multipart/form-data; boundary=b")).formData());
  const unterminated = '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue';
  await promise_rejects_js(TypeError, new Response(unterminated, type("multipart/form-data; boundary=b")).formData());
  const noDisposition = "--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--";
  await promise_rejects_js(TypeError, new Response(noDisposition, type("multipart/form-data; boundary=b")).formData());
}, "formData() rejects other types and malformed multipart bodies");

promise_test(async () => {
  assert_throws_js(TypeError, () => new Request("https://e.com/", { method: "POST", body: streamOf("x") }));
  const req = post(streamOf("up", "load"));
  assert_equals(req.duplex, "half");
  assert_equals(await req.text(), "upload");
  assert_throws_js(TypeError, () => new Request("https://e.com/", { method: "POST", body: "x", duplex: "full" }));
}, 'a Request stream body needs duplex: "half"');

promise_test(async () => {
  assert_throws_js(TypeError, () => new Request("https://e.com/", { body: "x" }));
  assert_throws_js(TypeError, () => new Request("https://e.com/", { method: "HEAD", body: "x" }));
  const withBody = post("payload");
  assert_throws_js(TypeError, () => new Request(withBody, { method: "GET" }), "an inherited body counts too");
}, "GET and HEAD requests cannot have a body");

promise_test(async () => {
  const original = post("moved");
  const copy = new Request(original);
  assert_true(original.bodyUsed, "the source request's body is taken");
  assert_equals(await copy.text(), "moved");
  assert_throws_js(TypeError, () => new Request(original), "a used body cannot be taken again");
  const streamed = post(streamOf("s1", "s2"));
  const copy2 = new Request(streamed, { headers: { "x-y": "z" } });
  assert_true(streamed.bodyUsed);
  assert_equals(await copy2.text(), "s1s2");
  const replaced = post("old");
  const withNew = new Request(replaced, { body: "new" });
  assert_false(replaced.bodyUsed, "an init body leaves the input's body alone");
  assert_equals(await withNew.text(), "new");
  // A Request used as the init dictionary (a common Workers idiom): its body stream and duplex are read.
  const asInit = post("via init", { "x-k": "v" });
  const rebuilt = new Request("https://example.com/other", asInit);
  assert_equals(rebuilt.url, "https://example.com/other");
  assert_equals(rebuilt.headers.get("x-k"), "v");
  assert_equals(await rebuilt.text(), "via init");
  assert_true(asInit.bodyUsed);
}, "new Request(request) takes over the body");

promise_test(async () => {
  const req = post(streamOf("a", "b"), { "content-type": "text/x" });
  const copy = req.clone();
  assert_equals(await req.text(), "ab");
  assert_equals(await copy.text(), "ab");
  assert_equals(copy.headers.get("content-type"), "text/x");
  assert_equals(copy.method, "POST");
  const used = post("x");
  await used.text();
  assert_throws_js(TypeError, () => used.clone());
}, "Request clone() tees and refuses used bodies");

promise_test(async () => {
  const fd = new FormData();
  fd.append("name", "value");
  const req = post(fd);
  assert_true(req.headers.get("content-type").startsWith("multipart/form-data; boundary="));
  const parsed = await req.formData();
  assert_equals(parsed.get("name"), "value");
  const blob = await post(new Blob(["<b/>"], { type: "text/xml" })).blob();
  assert_equals(blob.type, "text/xml");
}, "Request bodies: FormData and Blob");

promise_test(async () => {
  assert_throws_js(TypeError, () => new Response("x", { status: 204 }));
  assert_throws_js(TypeError, () => new Response(streamOf("x"), { status: 304 }));
  assert_equals(new Response(null, { status: 204 }).body, null);
  const locked = streamOf("x");
  locked.getReader();
  assert_throws_js(TypeError, () => new Response(locked, { status: 99 }), "the body is extracted first");
}, "null-body statuses refuse a body");

promise_test(async () => {
  await promise_rejects_js(TypeError, Response.prototype.text.call({}));
  await promise_rejects_js(TypeError, Request.prototype.arrayBuffer.call(new Response("x")));
  assert_throws_js(TypeError, () => Object.getOwnPropertyDescriptor(Response.prototype, "body").get.call({}));
  assert_throws_js(TypeError, () => Object.getOwnPropertyDescriptor(Request.prototype, "bodyUsed").get.call({}));
}, "body mixin brand checks: promises reject, getters throw");
