// https://dom.spec.whatwg.org/#events and https://html.spec.whatwg.org/multipage/webappapis.html#events —
// Event, EventTarget, CustomEvent, ErrorEvent, PromiseRejectionEvent, MessageEvent, event handler attributes.

// ---- Event ----

test(() => {
  const e = new Event("foo");
  assert_equals(e.type, "foo");
  assert_false(e.bubbles);
  assert_false(e.cancelable);
  assert_false(e.composed);
  assert_false(e.defaultPrevented);
  assert_true(e.returnValue);
  assert_false(e.isTrusted);
  assert_equals(e.target, null);
  assert_equals(e.currentTarget, null);
  assert_equals(e.srcElement, null);
  assert_equals(e.eventPhase, Event.NONE);
  assert_false(e.cancelBubble);
  assert_equals(typeof e.timeStamp, "number");
  assert_array_equals(e.composedPath(), []);
}, "Event constructor defaults");

test(() => {
  const e = new Event("x", { bubbles: true, cancelable: 1, composed: "yes" });
  assert_true(e.bubbles);
  assert_true(e.cancelable);
  assert_true(e.composed);
}, "Event constructor reads EventInit members, converting to boolean");

test(() => {
  assert_throws_js(TypeError, () => new Event());
  assert_throws_js(TypeError, () => Event("x"));
  assert_throws_js(TypeError, () => new Event("x", 5));
  assert_equals(new Event(undefined).type, "undefined");
  assert_equals(new Event(null).type, "null");
  assert_equals(new Event(1).type, "1");
  assert_throws_js(TypeError, () => new Event(Symbol()));
  assert_equals(new Event("x", null).bubbles, false);
}, "Event constructor argument conversions");

test(() => {
  const order = [];
  const init = {
    get composed() {
      order.push("composed");
      return false;
    },
    get bubbles() {
      order.push("bubbles");
      return false;
    },
    get cancelable() {
      order.push("cancelable");
      return false;
    },
  };
  new Event("x", init);
  assert_array_equals(order, ["bubbles", "cancelable", "composed"]);
}, "EventInit members are read in lexicographic order");

test(() => {
  assert_equals(Event.NONE, 0);
  assert_equals(Event.CAPTURING_PHASE, 1);
  assert_equals(Event.AT_TARGET, 2);
  assert_equals(Event.BUBBLING_PHASE, 3);
  assert_equals(Event.prototype.AT_TARGET, 2);
  const d = Object.getOwnPropertyDescriptor(Event, "AT_TARGET");
  assert_false(d.writable);
  assert_true(d.enumerable);
  assert_false(d.configurable);
}, "Event phase constants");

test(() => {
  const e = new Event("x");
  const d = Object.getOwnPropertyDescriptor(e, "isTrusted");
  assert_equals(typeof d.get, "function");
  assert_false(d.configurable);
  assert_true(d.enumerable);
  assert_equals(Object.getOwnPropertyDescriptor(new Event("y"), "isTrusted").get, d.get);
}, "isTrusted is an unforgeable own accessor");

test(() => {
  const d = Object.getOwnPropertyDescriptor(Event.prototype, "type");
  assert_equals(typeof d.get, "function");
  assert_true(d.enumerable);
  assert_true(d.configurable);
  assert_throws_js(TypeError, () => d.get.call({}));
  assert_throws_js(TypeError, () => Event.prototype.preventDefault.call({}));
  assert_equals(Object.prototype.toString.call(new Event("x")), "[object Event]");
}, "Event attributes are enumerable prototype accessors with brand checks");

test(() => {
  const e = new Event("x", { cancelable: true });
  e.preventDefault();
  assert_true(e.defaultPrevented);
  assert_false(e.returnValue);
  const n = new Event("x");
  n.preventDefault();
  assert_false(n.defaultPrevented, "not cancelable");
}, "preventDefault only cancels a cancelable event");

test(() => {
  const e = new Event("x", { cancelable: true });
  e.returnValue = true;
  assert_false(e.defaultPrevented);
  e.returnValue = false;
  assert_true(e.defaultPrevented);
  e.returnValue = true;
  assert_true(e.defaultPrevented, "returnValue = true does not un-cancel");
}, "returnValue setter");

test(() => {
  const e = new Event("x");
  e.cancelBubble = false;
  assert_false(e.cancelBubble);
  e.cancelBubble = true;
  assert_true(e.cancelBubble);
  e.cancelBubble = false;
  assert_true(e.cancelBubble, "cannot be unset");
  const f = new Event("y");
  f.stopPropagation();
  assert_true(f.cancelBubble);
  const g = new Event("z");
  g.stopImmediatePropagation();
  assert_true(g.cancelBubble);
}, "cancelBubble and stopPropagation");

test(() => {
  const e = new Event("x");
  e.initEvent("y", true, true);
  assert_equals(e.type, "y");
  assert_true(e.bubbles);
  assert_true(e.cancelable);
  assert_throws_js(TypeError, () => e.initEvent());
}, "initEvent re-initializes the event");

test(() => {
  const a = performance.now();
  const e = new Event("x");
  const b = performance.now();
  assert_true(e.timeStamp >= a && e.timeStamp <= b, `${a} <= ${e.timeStamp} <= ${b}`);
}, "timeStamp is relative to the time origin");

// ---- EventTarget ----

test(() => {
  const t = new EventTarget();
  assert_equals(Object.getPrototypeOf(t), EventTarget.prototype);
  assert_throws_js(TypeError, () => EventTarget());
  assert_equals(Object.prototype.toString.call(t), "[object EventTarget]");
  for (const m of ["addEventListener", "removeEventListener", "dispatchEvent"]) {
    assert_true(Object.getOwnPropertyDescriptor(EventTarget.prototype, m).enumerable, m);
  }
}, "EventTarget is constructible and its methods are enumerable");

test(() => {
  const t = new EventTarget();
  const e = new Event("foo");
  let seen = null;
  t.addEventListener("foo", function (ev) {
    seen = { ev, self: this, target: ev.target, current: ev.currentTarget, phase: ev.eventPhase };
    assert_array_equals(ev.composedPath(), [t]);
  });
  assert_true(t.dispatchEvent(e));
  assert_equals(seen.ev, e);
  assert_equals(seen.self, t);
  assert_equals(seen.target, t);
  assert_equals(seen.current, t);
  assert_equals(seen.phase, Event.AT_TARGET);
  assert_equals(e.target, t, "target stays after dispatch");
  assert_equals(e.currentTarget, null);
  assert_equals(e.eventPhase, Event.NONE);
  assert_array_equals(e.composedPath(), []);
}, "dispatchEvent invokes listeners with this === currentTarget, and resets state after");

test(() => {
  const t = new EventTarget();
  const calls = [];
  const obj = {
    handleEvent(e) {
      calls.push(this === obj && e.type);
    },
  };
  t.addEventListener("x", obj);
  t.dispatchEvent(new Event("x"));
  assert_array_equals(calls, ["x"]);
}, "handleEvent objects are called with the object as this");

test(() => {
  const t = new EventTarget();
  const calls = [];
  const obj = {};
  t.addEventListener("x", obj);
  obj.handleEvent = () => calls.push("late");
  t.dispatchEvent(new Event("x"));
  assert_array_equals(calls, ["late"], "handleEvent is looked up at dispatch");
}, "handleEvent is read at dispatch time");

test(() => {
  const t = new EventTarget();
  let n = 0;
  const f = () => n++;
  t.addEventListener("x", f);
  t.addEventListener("x", f);
  t.addEventListener("x", f, false);
  t.addEventListener("x", f, { capture: false, once: true });
  t.dispatchEvent(new Event("x"));
  assert_equals(n, 1, "duplicates are ignored");
  t.addEventListener("x", f, true);
  t.dispatchEvent(new Event("x"));
  assert_equals(n, 3, "capture makes a distinct listener");
}, "addEventListener ignores a duplicate (type, callback, capture)");

test(() => {
  const t = new EventTarget();
  const order = [];
  t.addEventListener("x", () => order.push("bubble1"));
  t.addEventListener("x", () => order.push("capture"), true);
  t.addEventListener("x", () => order.push("bubble2"), { capture: false });
  t.dispatchEvent(new Event("x"));
  assert_array_equals(order, ["capture", "bubble1", "bubble2"]);
}, "capture listeners run before non-capture listeners at the target");

test(() => {
  const t = new EventTarget();
  let n = 0;
  const f = () => n++;
  t.addEventListener("x", f, true);
  t.removeEventListener("x", f);
  t.dispatchEvent(new Event("x"));
  assert_equals(n, 1, "remove without capture does not match a capture listener");
  t.removeEventListener("x", f, { capture: true });
  t.dispatchEvent(new Event("x"));
  assert_equals(n, 1);
}, "removeEventListener matches on capture");

test(() => {
  const t = new EventTarget();
  let n = 0;
  t.addEventListener("x", () => n++, { once: true });
  t.dispatchEvent(new Event("x"));
  t.dispatchEvent(new Event("x"));
  assert_equals(n, 1);
}, "once listeners run once");

test(() => {
  const t = new EventTarget();
  let n = 0;
  const f = () => {
    n++;
    t.dispatchEvent(new Event("x"));
  };
  t.addEventListener("x", f, { once: true });
  t.dispatchEvent(new Event("x"));
  assert_equals(n, 1, "removed before it is invoked");
}, "a once listener is removed before it runs (re-entrant dispatch)");

test(() => {
  const t = new EventTarget();
  const order = [];
  const b = () => order.push("b");
  t.addEventListener("x", () => {
    order.push("a");
    t.removeEventListener("x", b);
    t.addEventListener("x", () => order.push("c"));
  });
  t.addEventListener("x", b);
  t.dispatchEvent(new Event("x"));
  assert_array_equals(order, ["a"], "removed listeners are skipped, added ones wait");
  t.dispatchEvent(new Event("x"));
  assert_array_equals(order, ["a", "a", "c"]);
}, "listeners removed or added during dispatch");

test(() => {
  const t = new EventTarget();
  const order = [];
  t.addEventListener("x", (e) => {
    order.push(1);
    e.stopImmediatePropagation();
  });
  t.addEventListener("x", () => order.push(2));
  t.dispatchEvent(new Event("x"));
  assert_array_equals(order, [1]);
}, "stopImmediatePropagation stops the remaining listeners");

test(() => {
  const t = new EventTarget();
  const order = [];
  t.addEventListener("x", (e) => {
    order.push(1);
    e.stopPropagation();
  });
  t.addEventListener("x", () => order.push(2));
  const e = new Event("x");
  t.dispatchEvent(e);
  assert_array_equals(order, [1, 2], "stopPropagation does not stop listeners on the same target");
  assert_false(e.cancelBubble, "flag is cleared after dispatch");
}, "stopPropagation at the target");

test(() => {
  const t = new EventTarget();
  let n = 0;
  t.addEventListener("x", () => n++);
  const e = new Event("x");
  e.stopPropagation();
  t.dispatchEvent(e);
  assert_equals(n, 0);
  t.dispatchEvent(e);
  assert_equals(n, 1, "the flag was cleared by the first dispatch");
}, "stopPropagation before dispatch prevents listeners");

test(() => {
  const t = new EventTarget();
  t.addEventListener("x", (e) => e.preventDefault());
  assert_false(t.dispatchEvent(new Event("x", { cancelable: true })));
  assert_true(t.dispatchEvent(new Event("x")));
}, "dispatchEvent returns false when canceled");

test(() => {
  const t = new EventTarget();
  let inside;
  t.addEventListener(
    "x",
    (e) => {
      e.preventDefault();
      inside = e.defaultPrevented;
    },
    { passive: true },
  );
  const e = new Event("x", { cancelable: true });
  assert_true(t.dispatchEvent(e));
  assert_false(inside);
  assert_false(e.defaultPrevented);
  t.addEventListener("x", (ev) => {
    ev.returnValue = false;
  });
  assert_false(t.dispatchEvent(new Event("x", { cancelable: true })), "a later non-passive listener can cancel");
}, "preventDefault in a passive listener is ignored");

test(() => {
  const t = new EventTarget();
  const e = new Event("x");
  let threw = null;
  t.addEventListener("x", () => {
    try {
      t.dispatchEvent(e);
    } catch (err) {
      threw = err;
    }
  });
  t.dispatchEvent(e);
  assert_true(threw instanceof DOMException);
  assert_equals(threw.name, "InvalidStateError");
}, "dispatchEvent throws InvalidStateError when the event is being dispatched");

test(() => {
  const t = new EventTarget();
  assert_throws_js(TypeError, () => t.dispatchEvent({ type: "x" }));
  assert_throws_js(TypeError, () => t.dispatchEvent());
  assert_throws_js(TypeError, () => t.addEventListener("x"));
  assert_throws_js(TypeError, () => t.addEventListener("x", "not a listener"));
  assert_throws_js(TypeError, () => t.addEventListener("x", () => {}, { signal: null }));
  assert_throws_js(TypeError, () => t.addEventListener("x", () => {}, { signal: {} }));
  assert_throws_js(TypeError, () => EventTarget.prototype.addEventListener.call({}, "x", () => {}));
  t.addEventListener("x", null);
  t.addEventListener("x", undefined);
  t.removeEventListener("x", null);
}, "EventTarget argument validation");

test(() => {
  const t = new EventTarget();
  let n = 0;
  t.addEventListener("x", () => n++, "truthy");
  t.removeEventListener("x", () => {}, 1);
  t.dispatchEvent(new Event("x"));
  assert_equals(n, 1);
}, "a non-object options argument is the capture boolean");

test(() => {
  const t = new EventTarget();
  const order = [];
  t.addEventListener("x", () => order.push("capture"), {
    get capture() {
      order.push("get capture");
      return false;
    },
    get once() {
      order.push("get once");
      return false;
    },
    get passive() {
      order.push("get passive");
      return false;
    },
    get signal() {
      order.push("get signal");
      return undefined;
    },
  });
  assert_array_equals(order, ["get capture", "get once", "get passive", "get signal"]);
}, "AddEventListenerOptions members are read in order");

test(() => {
  const t = new EventTarget();
  const c = new AbortController();
  let n = 0;
  t.addEventListener("x", () => n++, { signal: c.signal });
  t.dispatchEvent(new Event("x"));
  c.abort();
  t.dispatchEvent(new Event("x"));
  assert_equals(n, 1);
  t.addEventListener("x", () => n++, { signal: c.signal });
  t.dispatchEvent(new Event("x"));
  assert_equals(n, 1, "an aborted signal adds nothing");
}, "addEventListener signal removes the listener on abort");

test(() => {
  const t = new EventTarget();
  const c = new AbortController();
  let n = 0;
  const f = () => n++;
  t.addEventListener("x", f, { signal: c.signal });
  t.removeEventListener("x", f);
  t.addEventListener("x", f);
  c.abort();
  t.dispatchEvent(new Event("x"));
  assert_equals(n, 1, "abort of the old registration does not remove the new one");
}, "signal only removes its own registration");

test(() => {
  const t = new EventTarget();
  const e = new Event("x");
  t.addEventListener("x", (ev) => {
    assert_false(ev.isTrusted);
  });
  t.dispatchEvent(e);
  assert_false(e.isTrusted);
}, "dispatchEvent dispatches untrusted events");

test(() => {
  class Sub extends EventTarget {
    constructor() {
      super();
      this.hits = 0;
    }
  }
  const s = new Sub();
  s.addEventListener("x", function () {
    this.hits++;
  });
  s.dispatchEvent(new Event("x"));
  assert_equals(s.hits, 1);
  assert_true(s instanceof EventTarget);
}, "EventTarget can be subclassed");

test(() => {
  class MyEvent extends Event {
    constructor() {
      super("my", { cancelable: true });
      this.extra = 1;
    }
  }
  const t = new EventTarget();
  let got;
  t.addEventListener("my", (e) => {
    got = e;
  });
  const e = new MyEvent();
  t.dispatchEvent(e);
  assert_equals(got, e);
  assert_equals(got.extra, 1);
  assert_equals(Object.prototype.toString.call(e), "[object Event]");
}, "Event can be subclassed");

// ---- errors thrown by listeners are reported, not propagated ----

promise_test(async () => {
  const t = new EventTarget();
  const boom = new Error("listener boom");
  const reported = [];
  const onError = (e) => {
    reported.push(e);
    e.preventDefault();
  };
  addEventListener("error", onError);
  let after = false;
  try {
    t.addEventListener("x", () => {
      throw boom;
    });
    t.addEventListener("x", () => {
      after = true;
    });
    assert_true(t.dispatchEvent(new Event("x")), "dispatchEvent does not throw");
  } finally {
    removeEventListener("error", onError);
  }
  assert_true(after, "later listeners still run");
  assert_equals(reported.length, 1);
  assert_true(reported[0] instanceof ErrorEvent);
  assert_equals(reported[0].error, boom);
  assert_true(reported[0].isTrusted);
  assert_true(reported[0].cancelable);
  assert_equals(reported[0].message, "Uncaught Error: listener boom");
}, "an exception in a listener is reported to the global's error event");

promise_test(async () => {
  const t = new EventTarget();
  const reported = [];
  const onError = (e) => {
    reported.push(e.error);
    e.preventDefault();
  };
  addEventListener("error", onError);
  try {
    t.addEventListener("x", {});
    t.addEventListener("x", { handleEvent: 5 });
    t.dispatchEvent(new Event("x"));
  } finally {
    removeEventListener("error", onError);
  }
  assert_equals(reported.length, 2);
  assert_true(reported[0] instanceof TypeError);
  assert_true(reported[1] instanceof TypeError);
}, "a listener object without a callable handleEvent reports a TypeError");

// ---- event handler attributes ----

test(() => {
  const c = new AbortController();
  const s = c.signal;
  assert_equals(s.onabort, null);
  const order = [];
  s.addEventListener("abort", () => order.push("first"));
  s.onabort = () => order.push("handler");
  s.addEventListener("abort", () => order.push("last"));
  s.onabort = function (e) {
    order.push(this === s && e.type);
  };
  c.abort();
  assert_array_equals(order, ["first", "abort", "last"], "the handler keeps its first position");
}, "event handler attributes keep their listener position when replaced");

test(() => {
  const c = new AbortController();
  const s = c.signal;
  s.onabort = 5;
  assert_equals(s.onabort, null, "non-objects become null");
  const obj = {};
  s.onabort = obj;
  assert_equals(s.onabort, obj, "any object is kept");
  s.onabort = null;
  assert_equals(s.onabort, null);
  const d = Object.getOwnPropertyDescriptor(AbortSignal.prototype, "onabort");
  assert_true(d.enumerable);
  assert_equals(typeof d.set, "function");
}, "event handler attribute value conversion");

test(() => {
  const c = new AbortController();
  let n = 0;
  c.signal.onabort = () => n++;
  c.signal.onabort = null;
  c.abort();
  assert_equals(n, 0);
}, "setting an event handler to null removes it");

test(() => {
  const { port1 } = new MessageChannel();
  const e = new Event("message", { cancelable: true });
  port1.onmessage = () => false;
  port1.dispatchEvent(e);
  assert_true(e.defaultPrevented, "returning false cancels");
  port1.close();
}, "an event handler returning false cancels the event");

// ---- CustomEvent ----

test(() => {
  assert_equals(new CustomEvent("x").detail, null);
  const d = { a: 1 };
  const e = new CustomEvent("x", { detail: d, bubbles: true });
  assert_equals(e.detail, d);
  assert_true(e.bubbles);
  assert_true(e instanceof Event);
  assert_throws_js(TypeError, () => new CustomEvent());
  e.initCustomEvent("y", false, false, 5);
  assert_equals(e.type, "y");
  assert_equals(e.detail, 5);
  assert_equals(Object.prototype.toString.call(e), "[object CustomEvent]");
}, "CustomEvent");

// ---- ErrorEvent ----

test(() => {
  const e = new ErrorEvent("error");
  assert_equals(e.message, "");
  assert_equals(e.filename, "");
  assert_equals(e.lineno, 0);
  assert_equals(e.colno, 0);
  const err = new Error("x");
  const f = new ErrorEvent("error", { message: "m", filename: "f.js", lineno: 3, colno: -1, error: err });
  assert_equals(f.message, "m");
  assert_equals(f.filename, "f.js");
  assert_equals(f.lineno, 3);
  assert_equals(f.colno, 4294967295, "unsigned long wraps");
  assert_equals(f.error, err);
  assert_true(f instanceof Event);
  assert_throws_js(TypeError, () => new ErrorEvent());
}, "ErrorEvent");

// ---- PromiseRejectionEvent ----

test(() => {
  const p = Promise.resolve();
  const e = new PromiseRejectionEvent("unhandledrejection", { promise: p, reason: 5, cancelable: true });
  assert_equals(e.promise, p);
  assert_equals(e.reason, 5);
  assert_true(e.cancelable);
  assert_equals(new PromiseRejectionEvent("x", { promise: p }).reason, undefined);
  assert_throws_js(TypeError, () => new PromiseRejectionEvent("x"));
  assert_throws_js(TypeError, () => new PromiseRejectionEvent("x", {}));
  assert_throws_js(TypeError, () => new PromiseRejectionEvent("x", { promise: 1 }));
  const obj = {};
  assert_equals(new PromiseRejectionEvent("x", { promise: obj }).promise, obj, "any object is accepted");
}, "PromiseRejectionEvent");

// ---- MessageEvent ----

test(() => {
  const e = new MessageEvent("message");
  assert_equals(e.data, null);
  assert_equals(e.origin, "");
  assert_equals(e.lastEventId, "");
  assert_equals(e.source, null);
  assert_array_equals(e.ports, []);
  assert_true(Object.isFrozen(e.ports));
  assert_equals(e.ports, e.ports, "the same frozen array each time");
}, "MessageEvent defaults");

test(() => {
  const { port1, port2 } = new MessageChannel();
  const e = new MessageEvent("message", { data: 0, origin: "o", lastEventId: "7", source: port1, ports: [port2] });
  assert_equals(e.data, 0);
  assert_equals(e.origin, "o");
  assert_equals(e.lastEventId, "7");
  assert_equals(e.source, port1);
  assert_array_equals(e.ports, [port2]);
  assert_throws_js(TypeError, () => new MessageEvent("message", { ports: [{}] }));
  assert_throws_js(TypeError, () => new MessageEvent("message", { ports: 5 }));
  assert_throws_js(TypeError, () => new MessageEvent("message", { source: {} }));
  e.initMessageEvent("other", true, false, "d");
  assert_equals(e.type, "other");
  assert_equals(e.data, "d");
  assert_array_equals(e.ports, []);
  port1.close();
}, "MessageEvent members and conversions");

test(() => {
  const lengths = [
    [Event, 1],
    [CustomEvent, 1],
    [ErrorEvent, 1],
    [PromiseRejectionEvent, 2],
    [MessageEvent, 1],
    [EventTarget, 0],
    [EventTarget.prototype.addEventListener, 2],
    [EventTarget.prototype.removeEventListener, 2],
    [EventTarget.prototype.dispatchEvent, 1],
    [Event.prototype.initEvent, 1],
    [Event.prototype.composedPath, 0],
    [CustomEvent.prototype.initCustomEvent, 1],
    [MessageEvent.prototype.initMessageEvent, 1],
  ];
  for (const [fn, length] of lengths) assert_equals(fn.length, length, fn.name);
  for (const name of ["Event", "EventTarget", "CustomEvent", "ErrorEvent", "PromiseRejectionEvent", "MessageEvent"]) {
    assert_equals(globalThis[name].name, name);
  }
}, "interface objects and operations have WebIDL names and lengths");

test(() => {
  const reads = [];
  const init = new Proxy(
    {},
    {
      get(_, key) {
        if (typeof key === "string") reads.push(key);
        return undefined;
      },
    },
  );
  new ErrorEvent("error", init);
  assert_array_equals(reads, ["bubbles", "cancelable", "composed", "colno", "error", "filename", "lineno", "message"]);
  reads.length = 0;
  new MessageEvent("message", init);
  assert_array_equals(reads, ["bubbles", "cancelable", "composed", "data", "lastEventId", "origin", "ports", "source"]);
  reads.length = 0;
  new CustomEvent("x", init);
  assert_array_equals(reads, ["bubbles", "cancelable", "composed", "detail"]);
}, "derived event init dictionaries are read once each, inherited members first, then in lexicographic order");
