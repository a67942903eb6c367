// A small testharness (after WPT's testharness.js) that runs inside a NANO isolate. Conformance files
// call test()/promise_test() with assert_* helpers; run() settles every test and returns the results.
(() => {
  const tests = [];
  class AssertionError extends Error {
    constructor(message) {
      super(message);
      this.name = "AssertionError";
    }
  }
  const fmt = (v) => {
    try {
      return typeof v === "string" ? JSON.stringify(v) : String(v);
    } catch {
      return Object.prototype.toString.call(v);
    }
  };
  const same = (a, b) => Object.is(a, b);
  const h = {
    test(fn, name) {
      tests.push({ name, fn, async: false });
    },
    promise_test(fn, name) {
      tests.push({ name, fn, async: true });
    },
    assert_true(v, msg = "") {
      if (v !== true) throw new AssertionError(`assert_true: expected true got ${fmt(v)} ${msg}`);
    },
    assert_false(v, msg = "") {
      if (v !== false) throw new AssertionError(`assert_false: expected false got ${fmt(v)} ${msg}`);
    },
    assert_equals(actual, expected, msg = "") {
      if (!same(actual, expected))
        throw new AssertionError(`assert_equals: expected ${fmt(expected)} got ${fmt(actual)} ${msg}`);
    },
    assert_not_equals(actual, expected, msg = "") {
      if (same(actual, expected)) throw new AssertionError(`assert_not_equals: got ${fmt(actual)} ${msg}`);
    },
    assert_array_equals(actual, expected, msg = "") {
      if (!actual || actual.length !== expected.length || [...expected].some((e, i) => !same(actual[i], e))) {
        throw new AssertionError(
          `assert_array_equals: expected [${[...expected].map(fmt)}] got [${actual ? [...actual].map(fmt) : actual}] ${msg}`,
        );
      }
    },
    assert_deep_equals(actual, expected, msg = "") {
      const a = JSON.stringify(actual);
      const e = JSON.stringify(expected);
      if (a !== e) throw new AssertionError(`assert_deep_equals: expected ${e} got ${a} ${msg}`);
    },
    assert_throws_js(Type, fn, msg = "") {
      try {
        fn();
      } catch (err) {
        if (!(err instanceof Type) || err.constructor !== Type) {
          throw new AssertionError(
            `assert_throws_js: expected ${Type.name} got ${err?.constructor?.name}: ${err?.message} ${msg}`,
          );
        }
        return;
      }
      throw new AssertionError(`assert_throws_js: expected ${Type.name}, nothing thrown ${msg}`);
    },
    assert_throws_dom(name, fn, msg = "") {
      try {
        fn();
      } catch (err) {
        if (typeof DOMException !== "undefined" && !(err instanceof DOMException)) {
          throw new AssertionError(
            `assert_throws_dom: expected DOMException ${name} got ${err?.constructor?.name} ${msg}`,
          );
        }
        if (err.name !== name) throw new AssertionError(`assert_throws_dom: expected ${name} got ${err.name} ${msg}`);
        return;
      }
      throw new AssertionError(`assert_throws_dom: expected ${name}, nothing thrown ${msg}`);
    },
    async promise_rejects_js(Type, promise, msg = "") {
      try {
        await promise;
      } catch (err) {
        if (!(err instanceof Type))
          throw new AssertionError(`promise_rejects_js: expected ${Type.name} got ${err?.constructor?.name} ${msg}`);
        return;
      }
      throw new AssertionError(`promise_rejects_js: expected ${Type.name}, resolved ${msg}`);
    },
    async promise_rejects_dom(name, promise, msg = "") {
      try {
        await promise;
      } catch (err) {
        if (err?.name !== name)
          throw new AssertionError(`promise_rejects_dom: expected ${name} got ${err?.name} ${msg}`);
        return;
      }
      throw new AssertionError(`promise_rejects_dom: expected ${name}, resolved ${msg}`);
    },
    assert_unreached(msg = "") {
      throw new AssertionError(`assert_unreached: ${msg}`);
    },
  };
  Object.assign(globalThis, h);
  globalThis.__conformance_run = async () => {
    const results = [];
    for (const t of tests) {
      try {
        const r = t.fn();
        if (t.async || (r && typeof r.then === "function")) {
          await Promise.race([
            r,
            new Promise((_, rej) => setTimeout(() => rej(new Error("timed out after 5s")), 5000)),
          ]);
        }
        results.push({ name: t.name, ok: true });
      } catch (err) {
        results.push({ name: t.name, ok: false, message: `${err?.name}: ${err?.message}` });
      }
    }
    return JSON.stringify(results);
  };
})();
