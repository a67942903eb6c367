// https://html.spec.whatwg.org/multipage/structured-data.html — structuredClone: the structured
// serialize/deserialize algorithms, with transfer.

test(() => {
  for (const v of [undefined, null, true, false, 0, -0, 1.5, NaN, Infinity, -Infinity, 2n ** 70n, "", "str"]) {
    assert_equals(structuredClone(v), v, String(v));
  }
}, "primitives clone to themselves (including -0 and NaN)");

test(() => {
  assert_throws_dom("DataCloneError", () => structuredClone(Symbol("s")));
  assert_throws_dom("DataCloneError", () => structuredClone(() => {}));
  assert_throws_dom("DataCloneError", () => structuredClone(function named() {}));
  assert_throws_dom("DataCloneError", () => structuredClone(class {}));
  assert_throws_dom("DataCloneError", () => structuredClone({ f() {} }));
  assert_throws_dom("DataCloneError", () => structuredClone([Symbol()]));
}, "symbols and functions throw DataCloneError");

test(() => {
  assert_throws_dom("DataCloneError", () => structuredClone(new WeakMap()));
  assert_throws_dom("DataCloneError", () => structuredClone(new WeakSet()));
  assert_throws_dom("DataCloneError", () => structuredClone(new WeakRef({})));
  assert_throws_dom("DataCloneError", () => structuredClone(new FinalizationRegistry(() => {})));
  assert_throws_dom("DataCloneError", () => structuredClone(Promise.resolve()));
  assert_throws_dom("DataCloneError", () => structuredClone(Object(Symbol())));
}, "objects with unserializable internal slots throw DataCloneError");

test(() => {
  for (const v of [new Boolean(false), new Number(-0), new String("s"), Object(5n)]) {
    const c = structuredClone(v);
    assert_equals(typeof c, "object");
    assert_not_equals(c, v);
    assert_equals(Object.prototype.toString.call(c), Object.prototype.toString.call(v));
    assert_equals(c.valueOf(), v.valueOf());
  }
}, "primitive wrapper objects");

test(() => {
  const d = new Date(1234567890123);
  const c = structuredClone(d);
  assert_true(c instanceof Date);
  assert_not_equals(c, d);
  assert_equals(c.getTime(), d.getTime());
  assert_true(Number.isNaN(structuredClone(new Date(NaN)).getTime()), "invalid date");
}, "Date");

test(() => {
  const r = /ab+c/gimsuy;
  r.lastIndex = 3;
  const c = structuredClone(r);
  assert_true(c instanceof RegExp);
  assert_not_equals(c, r);
  assert_equals(c.source, r.source);
  assert_equals(c.flags, r.flags);
  assert_equals(c.lastIndex, 0, "lastIndex is not preserved");
}, "RegExp");

test(() => {
  const o = { a: 1, b: "two", nested: { c: [1, 2, { d: null }] } };
  const c = structuredClone(o);
  assert_not_equals(c, o);
  assert_not_equals(c.nested, o.nested);
  assert_deep_equals(c, o);
  assert_equals(Object.getPrototypeOf(c), Object.prototype);
}, "plain objects and arrays");

test(() => {
  class Point {
    constructor() {
      this.x = 1;
    }
    get y() {
      return 2;
    }
  }
  const c = structuredClone(new Point());
  assert_equals(Object.getPrototypeOf(c), Object.prototype, "the prototype is not preserved");
  assert_equals(c.x, 1);
  assert_false("y" in c);
  const n = structuredClone(Object.create(null, { k: { value: 1, enumerable: true } }));
  assert_equals(Object.getPrototypeOf(n), Object.prototype);
  assert_equals(n.k, 1);
}, "class instances clone as plain objects");

test(() => {
  const sym = Symbol("k");
  const o = { visible: 1, [sym]: 2 };
  Object.defineProperty(o, "hidden", { value: 3, enumerable: false });
  const c = structuredClone(o);
  assert_array_equals(Reflect.ownKeys(c), ["visible"]);
}, "only own enumerable string keys are cloned");

test(() => {
  const o = JSON.parse('{"__proto__": {"polluted": true}}');
  const c = structuredClone(o);
  assert_true(Object.hasOwn(c, "__proto__"), "an own data property");
  assert_equals(Object.getPrototypeOf(c), Object.prototype);
  assert_equals(c.polluted, undefined);
}, "a __proto__ key stays an own property");

test(() => {
  const log = [];
  const o = {
    get a() {
      log.push("a");
      delete this.b;
      return 1;
    },
    b: 2,
    get c() {
      log.push("c");
      return 3;
    },
  };
  const c = structuredClone(o);
  assert_array_equals(log, ["a", "c"]);
  assert_deep_equals(c, { a: 1, c: 3 });
}, "getters run in order; a key deleted by an earlier getter is skipped");

test(() => {
  const o = {
    get boom() {
      throw new RangeError("getter");
    },
  };
  assert_throws_js(RangeError, () => structuredClone(o));
}, "an exception from a getter propagates");

test(() => {
  const a = [1, 2, 3];
  delete a[1];
  a.extra = "x";
  const c = structuredClone(a);
  assert_true(Array.isArray(c));
  assert_equals(c.length, 3);
  assert_false(1 in c, "holes stay holes");
  assert_equals(c.extra, "x");
  const sparse = [];
  sparse.length = 5;
  assert_equals(structuredClone(sparse).length, 5);
}, "arrays keep their length, holes and extra properties");

test(() => {
  const o = { name: "root" };
  o.self = o;
  o.list = [o, { back: o }];
  const c = structuredClone(o);
  assert_equals(c.self, c);
  assert_equals(c.list[0], c);
  assert_equals(c.list[1].back, c);
  const shared = { s: 1 };
  const pair = structuredClone([shared, shared]);
  assert_equals(pair[0], pair[1], "shared references stay shared");
}, "cycles and shared references");

test(() => {
  const key = { k: 1 };
  const m = new Map([
    [key, "v"],
    ["self", null],
  ]);
  m.set("self", m);
  const c = structuredClone(m);
  assert_true(c instanceof Map);
  assert_equals(c.size, 2);
  const [clonedKey] = c.keys();
  assert_not_equals(clonedKey, key);
  assert_equals(clonedKey.k, 1);
  assert_equals(c.get(clonedKey), "v");
  assert_equals(c.get("self"), c);
}, "Map with object keys and a cycle");

test(() => {
  const s = new Set([1, "a", { o: 1 }]);
  s.add(s);
  const c = structuredClone(s);
  assert_true(c instanceof Set);
  assert_equals(c.size, 4);
  assert_true(c.has(1) && c.has("a"));
  assert_true(c.has(c));
}, "Set");

test(() => {
  const buf = new Uint8Array([1, 2, 3, 4]).buffer;
  const c = structuredClone(buf);
  assert_true(c instanceof ArrayBuffer);
  assert_not_equals(c, buf);
  assert_array_equals(new Uint8Array(c), [1, 2, 3, 4]);
  assert_equals(buf.byteLength, 4, "the original is untouched");
}, "ArrayBuffer is copied");

test(() => {
  const buf = new ArrayBuffer(4, { maxByteLength: 16 });
  const c = structuredClone(buf);
  assert_true(c.resizable);
  assert_equals(c.maxByteLength, 16);
  assert_equals(c.byteLength, 4);
}, "a resizable ArrayBuffer stays resizable");

test(() => {
  const types = [
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
  ];
  for (const T of types) {
    const big = T === BigInt64Array || T === BigUint64Array;
    const a = new T(big ? [1n, 2n, 3n] : [1, 2, 3]);
    const c = structuredClone(a);
    assert_equals(Object.getPrototypeOf(c), T.prototype, T.name);
    assert_array_equals(c, a, T.name);
  }
}, "every typed array type");

test(() => {
  const buf = new ArrayBuffer(16);
  const a = new Uint8Array(buf, 4, 8);
  const b = new Uint16Array(buf, 2, 3);
  const dv = new DataView(buf, 1, 5);
  a[0] = 42;
  const [ca, cb, cdv] = structuredClone([a, b, dv]);
  assert_equals(ca.buffer, cb.buffer, "views over one buffer share the cloned buffer");
  assert_equals(ca.buffer, cdv.buffer);
  assert_equals(ca.byteOffset, 4);
  assert_equals(ca.length, 8);
  assert_equals(cb.byteOffset, 2);
  assert_equals(cb.length, 3);
  assert_true(cdv instanceof DataView);
  assert_equals(cdv.byteOffset, 1);
  assert_equals(cdv.byteLength, 5);
  assert_equals(ca[0], 42);
  assert_equals(ca.buffer.byteLength, 16);
}, "views keep offset, length and a shared buffer");

test(() => {
  for (const E of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
    const e = new E("message");
    const c = structuredClone(e);
    assert_equals(Object.getPrototypeOf(c), E.prototype, E.name);
    assert_equals(c.name, E.name);
    assert_equals(c.message, "message");
    assert_false(Object.getOwnPropertyDescriptor(c, "message").enumerable);
  }
}, "native error types");

test(() => {
  const e = new TypeError("m");
  e.name = "CustomName";
  assert_equals(Object.getPrototypeOf(structuredClone(e)), Error.prototype, "unknown name: plain Error");
  const r = new Error("m");
  r.name = "RangeError";
  assert_equals(Object.getPrototypeOf(structuredClone(r)), RangeError.prototype, "name decides the type");
  class MyError extends Error {}
  assert_equals(Object.getPrototypeOf(structuredClone(new MyError("x"))), Error.prototype);
  const noMessage = structuredClone(new Error());
  assert_false(Object.hasOwn(noMessage, "message"));
}, "error name handling");

test(() => {
  const e = new Error("outer", { cause: { inner: 1 } });
  const c = structuredClone(e);
  assert_equals(c.cause.inner, 1);
  assert_equals(typeof c.stack, "string");
}, "error cause and stack are kept (as V8 does)");

test(() => {
  const e = new DOMException("gone", "NotFoundError");
  const c = structuredClone(e);
  assert_true(c instanceof DOMException);
  assert_not_equals(c, e);
  assert_equals(c.name, "NotFoundError");
  assert_equals(c.message, "gone");
  assert_equals(c.code, 8);
}, "DOMException is serializable");

test(() => {
  assert_throws_dom("DataCloneError", () => structuredClone(new EventTarget()));
  assert_throws_dom("DataCloneError", () => structuredClone(new Event("x")));
  assert_throws_dom("DataCloneError", () => structuredClone(new AbortController().signal));
  assert_throws_dom("DataCloneError", () => structuredClone(new Headers()));
  assert_throws_dom("DataCloneError", () => structuredClone(new MessageChannel().port1));
}, "non-serializable platform objects throw DataCloneError");

test(() => {
  const buf = new Uint8Array([1, 2, 3]).buffer;
  const c = structuredClone(buf, { transfer: [buf] });
  assert_equals(buf.byteLength, 0, "the source is detached");
  assert_true(buf.detached);
  assert_array_equals(new Uint8Array(c), [1, 2, 3]);
}, "transfer detaches an ArrayBuffer");

test(() => {
  const buf = new ArrayBuffer(8);
  const view = new Uint8Array(buf, 2, 4);
  view[0] = 9;
  const { v, b } = structuredClone({ v: view, b: buf }, { transfer: [buf] });
  assert_equals(v.buffer, b, "the view points at the transferred buffer");
  assert_equals(v[0], 9);
  assert_equals(v.byteOffset, 2);
  assert_equals(buf.byteLength, 0);
}, "a view over a transferred buffer");

test(() => {
  const buf = new ArrayBuffer(4);
  assert_throws_dom("DataCloneError", () => structuredClone(buf, { transfer: [buf, buf] }));
  assert_equals(buf.byteLength, 4, "nothing detached");
  assert_throws_dom("DataCloneError", () => structuredClone(null, { transfer: [{}] }));
  assert_throws_js(TypeError, () => structuredClone(null, { transfer: [1] }));
  assert_throws_js(TypeError, () => structuredClone(null, { transfer: 5 }));
  assert_throws_js(TypeError, () => structuredClone(null, 5));
  assert_throws_js(TypeError, () => structuredClone());
  structuredClone(buf, { transfer: [buf] });
  assert_throws_dom("DataCloneError", () => structuredClone(buf), "a detached buffer cannot be cloned");
  assert_throws_dom("DataCloneError", () => structuredClone(null, { transfer: [buf] }), "nor transferred");
}, "transfer list validation");

test(() => {
  const buf = new ArrayBuffer(4);
  assert_throws_dom("DataCloneError", () => structuredClone({ f() {}, buf }, { transfer: [buf] }));
  assert_equals(buf.byteLength, 4, "a failed serialization transfers nothing");
}, "nothing is transferred when serialization fails");

test(() => {
  assert_equals(structuredClone(1, undefined), 1);
  assert_equals(structuredClone(1, null), 1);
  assert_equals(structuredClone(1, {}), 1);
  assert_equals(structuredClone(1, { transfer: new Set() }), 1);
  assert_equals(structuredClone.length, 1);
}, "structuredClone options");

test(() => {
  const { port1, port2 } = new MessageChannel();
  const moved = structuredClone(port1, { transfer: [port1] });
  assert_true(moved instanceof MessagePort);
  assert_not_equals(moved, port1);
  assert_throws_dom("DataCloneError", () => structuredClone(port1, { transfer: [port1] }), "the old port is detached");
  moved.close();
  port2.close();
}, "a MessagePort is transferable");

promise_test(async () => {
  const blob = new Blob(["blob ", new Uint8Array([0x62, 0x79, 0x74, 0x65, 0x73])], { type: "Text/Plain" });
  const copy = structuredClone(blob);
  assert_true(copy instanceof Blob && !(copy instanceof File));
  assert_not_equals(copy, blob);
  assert_equals(copy.type, "text/plain");
  assert_equals(copy.size, 10);
  assert_equals(await copy.text(), "blob bytes");
  const nested = structuredClone({ list: [blob, blob] });
  assert_equals(nested.list[0], nested.list[1], "one blob twice is one clone twice");
  assert_equals(await nested.list[1].slice(0, 4).text(), "blob");
}, "a Blob is serializable: the clone has its bytes and type");

promise_test(async () => {
  const file = new File(["content"], "notes.txt", { type: "text/plain", lastModified: 1700000000000 });
  const copy = structuredClone(file);
  assert_true(copy instanceof File);
  assert_equals(copy.name, "notes.txt");
  assert_equals(copy.lastModified, 1700000000000);
  assert_equals(copy.type, "text/plain");
  assert_equals(await copy.text(), "content");
  const form = new FormData();
  form.append("f", structuredClone(file));
  assert_equals(form.get("f").name, "notes.txt", "the clone is a real File");
}, "a File is serializable: the clone keeps its name and lastModified");

promise_test(async () => {
  const key = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  const copy = structuredClone(key);
  assert_true(copy instanceof CryptoKey);
  assert_not_equals(copy, key);
  assert_equals(copy.type, "secret");
  assert_equals(copy.extractable, false);
  assert_equals(copy.algorithm.name, "HMAC");
  assert_equals(copy.algorithm.hash.name, "SHA-256");
  assert_array_equals(copy.usages, ["sign", "verify"]);
  const data = new TextEncoder().encode("signed");
  const sig = await crypto.subtle.sign("HMAC", key, data);
  assert_true(await crypto.subtle.verify("HMAC", copy, sig, data), "the clone is the same key");
  const { port1, port2 } = new MessageChannel();
  const received = new Promise((resolve) => (port2.onmessage = (e) => resolve(e.data)));
  port1.postMessage(key);
  assert_true(await crypto.subtle.verify("HMAC", await received, sig, data), "and it crosses a MessagePort");
}, "a CryptoKey is serializable: the clone is the same key");
