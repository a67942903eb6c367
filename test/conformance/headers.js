// https://fetch.spec.whatwg.org/#headers-class — Headers' WebIDL conversions: HeadersInit as a sequence
// of pairs or a record, ByteString names and values, required arguments, the forEach callback.

test(() => {
  assert_throws_js(TypeError, () => new Headers({ a: "\u0100" }), "a value above U+00FF");
  assert_throws_js(TypeError, () => new Headers([["\u0100", "x"]]), "a name above U+00FF");
  const h = new Headers();
  assert_throws_js(TypeError, () => h.append("x", "caf\u20ac"));
  assert_throws_js(TypeError, () => h.set("x", "\u{1F600}"));
  assert_throws_js(TypeError, () => h.get("\u0100"));
  h.append("x", "caf\u00e9");
  assert_equals(h.get("x"), "caf\u00e9", "Latin-1 is a ByteString");
  assert_throws_js(TypeError, () => new Response("", { headers: { a: "\u0394" } }));
  assert_throws_js(TypeError, () => new Request("https://e.com/", { headers: [["a", "\u0394"]] }));
}, "header names and values are ByteStrings: a code point above U+00FF is a TypeError");

test(() => {
  assert_throws_js(TypeError, () => new Headers(null));
  assert_throws_js(TypeError, () => new Headers(5));
  assert_throws_js(TypeError, () => new Headers("a: b"));
  assert_throws_js(TypeError, () => new Headers([["a"]]), "a pair of one");
  assert_throws_js(TypeError, () => new Headers([["a", "b", "c"]]), "a pair of three");
  assert_throws_js(TypeError, () => new Headers(["ab"]), "a string is not a sequence (not an object)");
  assert_throws_js(TypeError, () => new Headers({ [Symbol.iterator]: 1 }), "a non-callable @@iterator");
  assert_equals(new Headers(undefined).has("a"), false);
}, "HeadersInit must be a sequence of pairs or a record");

test(() => {
  const h = new Headers([
    new Set(["a", "1"]),
    {
      length: 0,
      *[Symbol.iterator]() {
        yield "b";
        yield "2";
      },
    },
  ]);
  assert_equals(h.get("a"), "1");
  assert_equals(h.get("b"), "2");
  const fromMap = new Headers(new Map([["c", "3"]]));
  assert_equals(fromMap.get("c"), "3", "any iterable of iterables");
}, "a sequence init takes any iterable of two-item iterables");

test(() => {
  const log = [];
  const record = new Proxy(
    { a: "1", b: "2" },
    {
      ownKeys(t) {
        log.push("ownKeys");
        return Reflect.ownKeys(t);
      },
      getOwnPropertyDescriptor(t, k) {
        log.push(`gopd ${String(k)}`);
        return Reflect.getOwnPropertyDescriptor(t, k);
      },
      get(t, k) {
        log.push(`get ${String(k)}`);
        return Reflect.get(t, k);
      },
    },
  );
  const h = new Headers(record);
  assert_equals(h.get("b"), "2");
  assert_array_equals(log, ["get Symbol(Symbol.iterator)", "ownKeys", "gopd a", "get a", "gopd b", "get b"]);
  const hidden = {};
  Object.defineProperty(hidden, "x", { value: "1", enumerable: false });
  assert_false(new Headers(hidden).has("x"), "non-enumerable properties are skipped");
  assert_throws_js(TypeError, () => new Headers({ [Symbol("s")]: "1" }), "an enumerable symbol key is a TypeError");
}, "a record init reads own enumerable keys in order, as WebIDL's record conversion does");

test(() => {
  const h = new Headers();
  assert_throws_js(TypeError, () => h.append("a"));
  assert_throws_js(TypeError, () => h.set("a"));
  assert_throws_js(TypeError, () => h.get());
  assert_throws_js(TypeError, () => h.has());
  assert_throws_js(TypeError, () => h.delete());
  assert_throws_js(TypeError, () => h.forEach());
  assert_throws_js(TypeError, () => h.forEach("not callable"));
  h.append("undefined", "x");
  assert_throws_js(TypeError, () => h.get(), 'a missing argument is not the string "undefined"');
}, "Headers methods require their arguments, and forEach a callable");
