// https://fetch.spec.whatwg.org/#request-class — Request's attributes with their defaults, how they are
// copied from an input Request and reset by an init, and the RequestInit dictionary's conversions.

const URL_ = "https://example.com/";

test(() => {
  const r = new Request(URL_);
  assert_equals(r.method, "GET");
  assert_equals(r.mode, "cors");
  assert_equals(r.credentials, "same-origin");
  assert_equals(r.cache, "default");
  assert_equals(r.redirect, "follow");
  assert_equals(r.destination, "");
  assert_equals(r.referrer, "about:client");
  assert_equals(r.referrerPolicy, "");
  assert_equals(r.integrity, "");
  assert_equals(r.keepalive, false);
  assert_equals(r.duplex, "half");
  assert_equals(r.isReloadNavigation, false);
  assert_equals(r.isHistoryNavigation, false);
  for (const name of [
    "mode",
    "credentials",
    "cache",
    "destination",
    "referrer",
    "referrerPolicy",
    "integrity",
    "keepalive",
    "duplex",
    "isReloadNavigation",
    "isHistoryNavigation",
  ]) {
    const desc = Object.getOwnPropertyDescriptor(Request.prototype, name);
    assert_true(typeof desc.get === "function" && desc.set === undefined, `${name} is a read-only accessor`);
    assert_throws_js(TypeError, () => desc.get.call({}), `${name} checks its receiver`);
  }
}, "a Request's attributes have the spec's defaults");

test(() => {
  const init = {
    cache: "no-store",
    credentials: "include",
    integrity: "sha256-abc",
    keepalive: true,
    mode: "same-origin",
    redirect: "manual",
    referrer: "https://ref.example/page",
    referrerPolicy: "no-referrer",
  };
  const r = new Request(URL_, init);
  for (const [k, v] of Object.entries(init)) assert_equals(r[k], v, k);
  const copy = new Request(r);
  for (const [k, v] of Object.entries(init)) assert_equals(copy[k], v, `copied ${k}`);
  const clone = r.clone();
  for (const [k, v] of Object.entries(init)) assert_equals(clone[k], v, `cloned ${k}`);
  const reset = new Request(r, { method: "POST" });
  assert_equals(reset.referrer, "about:client", "a non-empty init resets the referrer");
  assert_equals(reset.referrerPolicy, "", "and the referrer policy");
  assert_equals(reset.cache, "no-store", "but keeps the rest");
  assert_equals(reset.mode, "same-origin");
  assert_equals(new Request(URL_, { referrer: "" }).referrer, "", '"" is no referrer');
  assert_equals(new Request(URL_, { referrer: "about:client" }).referrer, "about:client");
}, "init values are kept, copied from an input Request and by clone(); an init resets the referrer");

test(() => {
  assert_throws_js(TypeError, () => new Request(URL_, 5));
  assert_throws_js(TypeError, () => new Request(URL_, "str"));
  assert_throws_js(TypeError, () => new Request(URL_, true));
  assert_equals(new Request(URL_, null).method, "GET", "null is the empty dictionary");
  assert_equals(new Request(URL_, () => {}).method, "GET", "a function is an object");
  assert_throws_js(TypeError, () => new Request());
}, "the init argument must be an object, null or undefined");

test(() => {
  for (const [member, value] of [
    ["mode", "navigate"],
    ["mode", "websocket"],
    ["credentials", "always"],
    ["cache", "sometimes"],
    ["redirect", "follow "],
    ["referrerPolicy", "never"],
    ["priority", "urgent"],
    ["duplex", "full"],
    ["referrer", "not a url"],
    ["window", {}],
    ["method", "G\u0100T"],
    ["signal", {}],
  ]) {
    assert_throws_js(TypeError, () => new Request(URL_, { [member]: value }), `${member}: ${String(value)}`);
  }
  assert_throws_js(TypeError, () => new Request(URL_, { cache: "only-if-cached" }), "only-if-cached needs same-origin");
  assert_equals(new Request(URL_, { cache: "only-if-cached", mode: "same-origin" }).cache, "only-if-cached");
  assert_throws_js(
    TypeError,
    () => new Request(URL_, { mode: "no-cors", method: "PUT" }),
    "no-cors needs a safelisted method",
  );
  assert_equals(new Request(URL_, { mode: "no-cors", method: "POST" }).mode, "no-cors");
  assert_equals(new Request(URL_, { window: null }).mode, "cors", "window may be null");
  assert_equals(new Request(URL_, { priority: "high" }).method, "GET");
}, "invalid RequestInit values throw a TypeError");

test(() => {
  const stream = () => new ReadableStream({ pull: (c) => c.close() });
  assert_throws_js(TypeError, () => new Request(URL_, { method: "POST", body: stream() }), "no duplex");
  assert_throws_js(
    TypeError,
    () => new Request(URL_, { method: "POST", body: stream(), duplex: "half", keepalive: true }),
    "keepalive",
  );
  assert_throws_js(
    TypeError,
    () => new Request(URL_, { method: "POST", body: stream(), duplex: "half", mode: "no-cors" }),
    "no-cors",
  );
  assert_equals(new Request(URL_, { method: "POST", body: stream(), duplex: "half" }).duplex, "half");
  assert_equals(
    new Request(URL_, { method: "POST", body: "x", keepalive: true }).keepalive,
    true,
    "keepalive with bytes",
  );
}, 'a stream body needs duplex "half", a CORS mode and no keepalive');

test(() => {
  const order = [];
  const init = {};
  for (const k of [
    "window",
    "signal",
    "referrerPolicy",
    "referrer",
    "redirect",
    "priority",
    "mode",
    "method",
    "keepalive",
    "integrity",
    "headers",
    "duplex",
    "credentials",
    "cache",
    "body",
  ]) {
    Object.defineProperty(init, k, {
      get() {
        order.push(k);
        return undefined;
      },
      enumerable: true,
    });
  }
  new Request(URL_, init);
  assert_array_equals(order, [
    "body",
    "cache",
    "credentials",
    "duplex",
    "headers",
    "integrity",
    "keepalive",
    "method",
    "mode",
    "priority",
    "redirect",
    "referrer",
    "referrerPolicy",
    "signal",
    "window",
  ]);
}, "RequestInit members are read once each, in lexicographic order");

test(() => {
  let calls = 0;
  const r = new Request({
    toString: () => {
      calls++;
      return URL_;
    },
  });
  assert_equals(r.url, URL_);
  assert_equals(calls, 1, "the input is converted to a string once");
  assert_throws_js(TypeError, () => new Request(Symbol("x")));
  assert_equals(
    new Request("https://example.com/\uD800").url,
    "https://example.com/%EF%BF%BD",
    "USVString: a lone surrogate is U+FFFD",
  );
}, "the input is a Request or a USVString");

promise_test(async () => {
  const request = new Request("http://127.0.0.1/", { cache: "only-if-cached", mode: "same-origin" });
  const err = await fetch(request).catch((e) => e);
  assert_true(err instanceof TypeError);
  assert_true(err.message.includes("only-if-cached"), err.message);
}, 'fetch has no HTTP cache: "only-if-cached" rejects with a TypeError');

promise_test(async () => {
  const err = await fetch("http://127.0.0.1/", { integrity: "sha256-AAAA" }).catch((e) => e);
  assert_true(err instanceof TypeError);
  assert_true(err.message.includes("integrity"), err.message);
}, "fetch refuses integrity metadata it would not check, rather than ignoring it");
