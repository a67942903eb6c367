// The global scope (https://html.spec.whatwg.org/multipage/webappapis.html#windoworworkerglobalscope-mixin,
// https://webidl.spec.whatwg.org/#es-interfaces), performance (https://w3c.github.io/hr-time/), navigator,
// queueMicrotask, reportError and the global's error/unhandledrejection events.

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

test(() => {
  assert_equals(self, globalThis);
  assert_true(globalThis instanceof EventTarget);
  assert_equals(typeof addEventListener, "function");
  assert_equals(addEventListener, EventTarget.prototype.addEventListener, "inherited from EventTarget.prototype");
  assert_false(Object.hasOwn(globalThis, "addEventListener"));
}, "the global object is an EventTarget and self is the global");

test(() => {
  let got = null;
  const f = function (e) {
    got = { self: this, target: e.target, current: e.currentTarget };
  };
  addEventListener("custom-global", f);
  try {
    assert_true(dispatchEvent(new Event("custom-global")));
  } finally {
    removeEventListener("custom-global", f);
  }
  assert_equals(got.self, globalThis);
  assert_equals(got.target, globalThis);
  assert_equals(got.current, globalThis);
  let n = 0;
  const g = () => n++;
  EventTarget.prototype.addEventListener.call(undefined, "via-undefined", g);
  globalThis.dispatchEvent(new Event("via-undefined"));
  removeEventListener("via-undefined", g);
  assert_equals(n, 1, "an undefined this means the global");
}, "events dispatched at the global see the global as target and this");

test(() => {
  const classes = [
    "AbortController",
    "AbortSignal",
    "CustomEvent",
    "DOMException",
    "ErrorEvent",
    "Event",
    "EventTarget",
    "MessageChannel",
    "MessageEvent",
    "MessagePort",
    "PromiseRejectionEvent",
  ];
  for (const name of classes) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    assert_equals(typeof d.value, "function", name);
    assert_false(d.enumerable, `${name} is not enumerable`);
    assert_true(d.writable, `${name} is writable`);
    assert_true(d.configurable, `${name} is configurable`);
    const proto = Object.getOwnPropertyDescriptor(d.value, "prototype");
    assert_false(proto.writable || proto.enumerable || proto.configurable, `${name}.prototype is locked`);
  }
}, "interface objects are non-enumerable, writable, configurable globals");

test(() => {
  for (const name of ["atob", "btoa", "structuredClone", "reportError", "queueMicrotask", "setTimeout"]) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    assert_equals(typeof d.value, "function", name);
    assert_true(d.enumerable, `${name} is enumerable`);
    assert_true(d.writable, `${name} is writable`);
    assert_true(d.configurable, `${name} is configurable`);
    assert_equals(d.value.name, name);
  }
  for (const name of ["performance", "navigator"]) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    assert_true(d.enumerable, `${name} is enumerable`);
    assert_true(d.configurable, `${name} is configurable`);
  }
  for (const name of ["onerror", "onunhandledrejection", "onrejectionhandled"]) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    assert_equals(typeof d.get, "function", name);
    assert_equals(typeof d.set, "function", name);
    assert_true(d.enumerable, name);
    assert_equals(globalThis[name], null, name);
  }
}, "operations and attributes of the global are enumerable own properties");

test(() => {
  assert_equals(typeof performance.now(), "number");
  const a = performance.now();
  const b = performance.now();
  assert_true(b >= a, "monotonic");
  assert_true(a >= 0);
  assert_equals(typeof performance.timeOrigin, "number");
  assert_true(Math.abs(performance.timeOrigin + performance.now() - Date.now()) < 1000, "origin + now ≈ Date.now()");
  assert_deep_equals(performance.toJSON(), { timeOrigin: performance.timeOrigin });
  assert_true(performance instanceof Performance);
  assert_true(performance instanceof EventTarget);
  assert_throws_js(TypeError, () => new Performance());
  assert_throws_js(TypeError, () => Performance.prototype.now.call({}));
  const { now } = performance;
  assert_throws_js(TypeError, () => now());
  assert_equals(Object.prototype.toString.call(performance), "[object Performance]");
}, "performance.now, timeOrigin and toJSON");

promise_test(async () => {
  const a = performance.now();
  await tick(20);
  const b = performance.now();
  assert_true(b - a >= 15, `${b} - ${a}`);
}, "performance.now advances with time");

test(() => {
  assert_equals(navigator.userAgent, "NANO/0.1.0");
  assert_equals(navigator.hardwareConcurrency, 1);
  assert_true(navigator instanceof Navigator);
  assert_throws_js(TypeError, () => new Navigator());
  assert_equals(Object.prototype.toString.call(navigator), "[object Navigator]");
  assert_true(Object.getOwnPropertyDescriptor(Navigator.prototype, "userAgent").enumerable);
}, "navigator.userAgent and hardwareConcurrency");

promise_test(async () => {
  const order = [];
  queueMicrotask(() => order.push("microtask"));
  Promise.resolve().then(() => order.push("promise"));
  setTimeout(() => order.push("task"), 0);
  order.push("sync");
  await tick();
  assert_array_equals(order, ["sync", "microtask", "promise", "task"]);
}, "queueMicrotask runs before tasks, in order with promise jobs");

test(() => {
  assert_throws_js(TypeError, () => queueMicrotask());
  assert_throws_js(TypeError, () => queueMicrotask("code"));
  assert_throws_js(TypeError, () => queueMicrotask({}));
  assert_equals(
    queueMicrotask(() => {}),
    undefined,
  );
}, "queueMicrotask argument validation");

promise_test(async () => {
  let self = "unset";
  // Class bodies are strict code, so `this` is not coerced to the global.
  const { record } = class {
    record() {
      self = this;
    }
  }.prototype;
  queueMicrotask(record);
  await Promise.resolve();
  assert_equals(self, undefined);
}, "queueMicrotask callbacks are called with an undefined this");

promise_test(async () => {
  let self = "unset";
  const { record } = class {
    record() {
      self = this;
    }
  }.prototype;
  setTimeout(record, 0);
  await tick();
  assert_equals(self, globalThis, "the global is passed as this, even to strict code");
}, "timer callbacks are called with the global as this");

test(() => {
  const boom = new Error("reported");
  const events = [];
  const f = (e) => {
    events.push(e);
    e.preventDefault();
  };
  addEventListener("error", f);
  try {
    assert_equals(reportError(boom), undefined);
  } finally {
    removeEventListener("error", f);
  }
  assert_equals(events.length, 1);
  const e = events[0];
  assert_true(e instanceof ErrorEvent);
  assert_equals(e.type, "error");
  assert_equals(e.error, boom);
  assert_true(e.isTrusted);
  assert_true(e.cancelable);
  assert_false(e.bubbles);
  assert_equals(e.target, globalThis);
  assert_equals(e.message, "Uncaught Error: reported");
  assert_equals(typeof e.filename, "string");
  assert_equals(typeof e.lineno, "number");
}, "reportError fires an ErrorEvent at the global");

test(() => {
  const seen = [];
  const f = (e) => {
    seen.push(e.error);
    e.preventDefault();
  };
  addEventListener("error", f);
  try {
    reportError(5);
    reportError(undefined);
    reportError(null);
  } finally {
    removeEventListener("error", f);
  }
  assert_array_equals(seen, [5, undefined, null]);
  assert_throws_js(TypeError, () => reportError());
}, "reportError accepts any value but requires one");

test(() => {
  let args = null;
  let self = null;
  globalThis.onerror = function (...a) {
    args = a;
    self = this;
    return true;
  };
  try {
    const err = new TypeError("for onerror");
    const e = new ErrorEvent("error", {
      message: "msg",
      filename: "f.js",
      lineno: 2,
      colno: 3,
      error: err,
      cancelable: true,
    });
    assert_false(dispatchEvent(e), "returning true cancels the error event");
    assert_array_equals(args, ["msg", "f.js", 2, 3, err]);
    assert_equals(self, globalThis);
  } finally {
    globalThis.onerror = null;
  }
  assert_equals(globalThis.onerror, null);
}, "onerror receives (message, filename, lineno, colno, error) and cancels by returning true");

test(() => {
  let got;
  globalThis.onerror = (...a) => {
    got = a;
    return false;
  };
  try {
    const e = new Event("error", { cancelable: true });
    assert_false(dispatchEvent(e), "not an ErrorEvent: returning false cancels, as for any handler");
    assert_equals(got.length, 1, "a plain Event is passed as is");
    assert_equals(got[0], e);
  } finally {
    globalThis.onerror = null;
  }
}, "onerror with a plain Event");

promise_test(async () => {
  const seen = [];
  globalThis.onerror = (...args) => {
    seen.push(args[4]);
    return true;
  };
  const boom = new Error("from a timer");
  let after = false;
  try {
    setTimeout(() => {
      throw boom;
    }, 0);
    setTimeout(() => {
      after = true;
    }, 1);
    await tick(20);
  } finally {
    globalThis.onerror = null;
  }
  assert_array_equals(seen, [boom]);
  assert_true(after, "later timers still run");
}, "an exception thrown by a timer callback is reported to onerror");

promise_test(async () => {
  const seen = [];
  const f = (e) => {
    seen.push(e.error);
    e.preventDefault();
  };
  addEventListener("error", f);
  try {
    queueMicrotask(() => {
      throw new RangeError("from a microtask");
    });
    await tick();
  } finally {
    removeEventListener("error", f);
  }
  assert_equals(seen.length, 1);
  assert_true(seen[0] instanceof RangeError);
}, "an exception thrown by a queueMicrotask callback is reported");

promise_test(async () => {
  const seen = [];
  const f = (e) => {
    seen.push(e);
    e.preventDefault();
  };
  addEventListener("unhandledrejection", f);
  const reason = new Error("async timer");
  try {
    setTimeout(async () => {
      throw reason;
    }, 0);
    await tick(20);
  } finally {
    removeEventListener("unhandledrejection", f);
  }
  assert_equals(seen.length, 1);
  const e = seen[0];
  assert_true(e instanceof PromiseRejectionEvent);
  assert_equals(e.reason, reason);
  assert_true(e.promise instanceof Promise);
  assert_true(e.cancelable);
  assert_true(e.isTrusted);
  assert_equals(e.target, globalThis);
}, "a rejected promise returned by an async timer callback fires unhandledrejection");

promise_test(async () => {
  const seen = [];
  globalThis.onunhandledrejection = (e) => {
    seen.push(e.reason);
    e.preventDefault();
  };
  try {
    const t = new EventTarget();
    t.addEventListener("x", async () => {
      throw 42;
    });
    t.dispatchEvent(new Event("x"));
    await tick(20);
  } finally {
    globalThis.onunhandledrejection = null;
  }
  assert_array_equals(seen, [42]);
}, "an async event listener's rejection fires unhandledrejection (onunhandledrejection)");

promise_test(async () => {
  const seen = [];
  const f = (e) => {
    seen.push(e.reason);
    e.preventDefault();
  };
  addEventListener("unhandledrejection", f);
  try {
    Promise.reject(new Error("floating"));
    await tick(20);
  } finally {
    removeEventListener("unhandledrejection", f);
  }
  assert_equals(seen.length, 1);
}, "any unhandled rejection fires unhandledrejection");

promise_test(async () => {
  const seen = [];
  const f = (e) => seen.push(e.type);
  addEventListener("rejectionhandled", f);
  const g = (e) => e.preventDefault();
  addEventListener("unhandledrejection", g);
  try {
    const p = Promise.reject(new Error("handled late"));
    await tick(10);
    p.catch(() => {});
    await tick(10);
  } finally {
    removeEventListener("rejectionhandled", f);
    removeEventListener("unhandledrejection", g);
  }
  assert_array_equals(seen, ["rejectionhandled"]);
}, "a rejection handled late fires rejectionhandled");

test(() => {
  const lengths = {
    setTimeout: 1,
    setInterval: 1,
    clearTimeout: 0,
    clearInterval: 0,
    structuredClone: 1,
    reportError: 1,
    queueMicrotask: 1,
    atob: 1,
    btoa: 1,
    DOMException: 0,
    MessageChannel: 0,
  };
  for (const [name, length] of Object.entries(lengths)) assert_equals(globalThis[name].length, length, name);
  assert_equals(MessagePort.prototype.postMessage.length, 1);
}, "global operations have WebIDL lengths");
