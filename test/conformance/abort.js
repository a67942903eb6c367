// https://dom.spec.whatwg.org/#aborting-ongoing-activities — AbortController and AbortSignal.

test(() => {
  const c = new AbortController();
  const s = c.signal;
  assert_true(s instanceof AbortSignal);
  assert_true(s instanceof EventTarget);
  assert_equals(c.signal, s, "the same signal each time");
  assert_false(s.aborted);
  assert_equals(s.reason, undefined);
  assert_equals(s.onabort, null);
  s.throwIfAborted();
}, "a new AbortController's signal is not aborted");

test(() => {
  assert_throws_js(TypeError, () => new AbortSignal());
  assert_throws_js(TypeError, () => AbortController());
  assert_equals(Object.prototype.toString.call(new AbortController()), "[object AbortController]");
  assert_equals(Object.prototype.toString.call(AbortSignal.abort()), "[object AbortSignal]");
}, "AbortSignal has no public constructor");

test(() => {
  const c = new AbortController();
  const events = [];
  c.signal.addEventListener("abort", (e) => {
    events.push(e);
    assert_true(c.signal.aborted, "aborted before the event fires");
  });
  c.abort();
  assert_true(c.signal.aborted);
  assert_true(c.signal.reason instanceof DOMException);
  assert_equals(c.signal.reason.name, "AbortError");
  assert_equals(c.signal.reason.code, 20);
  assert_equals(events.length, 1);
  assert_equals(events[0].type, "abort");
  assert_true(events[0].isTrusted);
  assert_false(events[0].bubbles);
  assert_false(events[0].cancelable);
  assert_equals(events[0].target, c.signal);
}, "abort() without a reason: AbortError DOMException, a trusted abort event");

test(() => {
  const c = new AbortController();
  let n = 0;
  c.signal.onabort = () => n++;
  c.abort("first");
  c.abort("second");
  assert_equals(n, 1, "fires once");
  assert_equals(c.signal.reason, "first", "the first reason stays");
}, "abort() is idempotent");

test(() => {
  const reasons = [0, "", null, false, { a: 1 }, new Error("e")];
  for (const r of reasons) {
    const c = new AbortController();
    c.abort(r);
    assert_equals(c.signal.reason, r);
    assert_true(c.signal.aborted);
  }
  const c = new AbortController();
  c.abort(undefined);
  assert_equals(c.signal.reason.name, "AbortError", "undefined means no reason");
}, "abort(reason) keeps any reason but undefined");

test(() => {
  const c = new AbortController();
  const r = new TypeError("why");
  c.abort(r);
  try {
    c.signal.throwIfAborted();
    assert_unreached("should throw");
  } catch (e) {
    assert_equals(e, r);
  }
  const d = new AbortController();
  d.abort();
  assert_throws_dom("AbortError", () => d.signal.throwIfAborted());
}, "throwIfAborted throws the reason");

test(() => {
  const s = AbortSignal.abort();
  assert_true(s.aborted);
  assert_equals(s.reason.name, "AbortError");
  const t = AbortSignal.abort("r");
  assert_equals(t.reason, "r");
  assert_not_equals(AbortSignal.abort(), AbortSignal.abort());
}, "AbortSignal.abort(reason)");

test(() => {
  const c = new AbortController();
  const order = [];
  c.signal.addEventListener("abort", () => order.push("listener"));
  c.signal.onabort = () => order.push("handler");
  c.signal.addEventListener("abort", () => order.push("once"), { once: true });
  c.abort();
  assert_array_equals(order, ["listener", "handler", "once"]);
}, "abort listeners and onabort run in registration order");

promise_test(async () => {
  const c = new AbortController();
  const errors = [];
  const onError = (e) => {
    errors.push(e.error);
    e.preventDefault();
  };
  addEventListener("error", onError);
  let second = false;
  try {
    c.signal.addEventListener("abort", () => {
      throw new Error("in abort listener");
    });
    c.signal.addEventListener("abort", () => {
      second = true;
    });
    c.abort();
  } finally {
    removeEventListener("error", onError);
  }
  assert_true(second);
  assert_equals(errors.length, 1);
  assert_equals(errors[0].message, "in abort listener");
}, "an exception in an abort listener is reported, abort() does not throw");

promise_test(async () => {
  const s = AbortSignal.timeout(10);
  assert_false(s.aborted);
  const event = await new Promise((resolve) => s.addEventListener("abort", resolve));
  assert_true(event.isTrusted);
  assert_true(s.aborted);
  assert_true(s.reason instanceof DOMException);
  assert_equals(s.reason.name, "TimeoutError");
  assert_equals(s.reason.code, 23);
}, "AbortSignal.timeout aborts with a TimeoutError");

promise_test(async () => {
  const s = AbortSignal.timeout(0);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert_true(s.aborted);
}, "AbortSignal.timeout(0)");

test(() => {
  assert_throws_js(TypeError, () => AbortSignal.timeout());
  assert_throws_js(TypeError, () => AbortSignal.timeout(-1));
  assert_throws_js(TypeError, () => AbortSignal.timeout(NaN));
  assert_throws_js(TypeError, () => AbortSignal.timeout(Infinity));
  assert_throws_js(TypeError, () => AbortSignal.timeout(2 ** 53));
  assert_false(AbortSignal.timeout(2 ** 31).aborted);
  assert_false(AbortSignal.timeout("5").aborted);
}, "AbortSignal.timeout enforces the range of unsigned long long");

test(() => {
  const a = new AbortController();
  const b = new AbortController();
  const s = AbortSignal.any([a.signal, b.signal]);
  assert_false(s.aborted);
  let n = 0;
  s.onabort = () => n++;
  b.abort("b");
  assert_true(s.aborted);
  assert_equals(s.reason, "b");
  a.abort("a");
  assert_equals(s.reason, "b");
  assert_equals(n, 1);
}, "AbortSignal.any follows the first source to abort");

test(() => {
  const a = new AbortController();
  const s = AbortSignal.any([a.signal, AbortSignal.abort("already")]);
  assert_true(s.aborted);
  assert_equals(s.reason, "already");
  const e = AbortSignal.any([]);
  assert_false(e.aborted, "no sources: never aborts");
  assert_not_equals(AbortSignal.any([a.signal]), a.signal, "always a new signal");
}, "AbortSignal.any with an aborted source or none");

test(() => {
  const a = new AbortController();
  const inner = AbortSignal.any([a.signal]);
  const outer = AbortSignal.any([inner]);
  const order = [];
  a.signal.onabort = () => order.push("source");
  inner.onabort = () => order.push("inner");
  outer.onabort = () => {
    order.push("outer");
    assert_true(inner.aborted);
  };
  a.abort("r");
  assert_array_equals(order, ["source", "inner", "outer"]);
  assert_equals(outer.reason, "r");
}, "AbortSignal.any of a dependent signal depends on its sources");

test(() => {
  const a = new AbortController();
  const dep = AbortSignal.any([a.signal]);
  const seen = [];
  a.signal.onabort = () => seen.push(["source", dep.aborted]);
  dep.onabort = () => seen.push(["dependent", dep.reason]);
  a.abort("x");
  assert_deep_equals(seen, [
    ["source", true],
    ["dependent", "x"],
  ]);
}, "dependent signals are marked aborted before any abort event fires");

test(() => {
  assert_throws_js(TypeError, () => AbortSignal.any());
  assert_throws_js(TypeError, () => AbortSignal.any([{}]));
  assert_throws_js(TypeError, () => AbortSignal.any(5));
  const a = new AbortController();
  const s = AbortSignal.any(new Set([a.signal]));
  a.abort();
  assert_true(s.aborted, "any iterable is a sequence");
}, "AbortSignal.any argument validation");

promise_test(async () => {
  const a = new AbortController();
  const s = AbortSignal.any([a.signal, AbortSignal.timeout(5)]);
  const event = await new Promise((resolve) => s.addEventListener("abort", resolve));
  assert_equals(event.target, s);
  assert_equals(s.reason.name, "TimeoutError");
  assert_false(a.signal.aborted);
}, "AbortSignal.any with a timeout");

test(() => {
  const d = Object.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted");
  assert_throws_js(TypeError, () => d.get.call({}));
  assert_throws_js(TypeError, () => AbortSignal.prototype.throwIfAborted.call({}));
  assert_throws_js(TypeError, () => AbortController.prototype.abort.call({}));
  for (const name of ["aborted", "reason", "onabort", "throwIfAborted"]) {
    assert_true(Object.getOwnPropertyDescriptor(AbortSignal.prototype, name).enumerable, name);
  }
}, "AbortSignal brand checks and enumerable members");

test(() => {
  assert_equals(AbortSignal.abort.length, 0);
  assert_equals(AbortSignal.timeout.length, 1);
  assert_equals(AbortSignal.any.length, 1);
  assert_equals(AbortController.prototype.abort.length, 0);
  assert_equals(AbortController.length, 0);
  assert_equals(AbortController.name, "AbortController");
  assert_equals(AbortSignal.name, "AbortSignal");
}, "AbortController and AbortSignal operation lengths");
