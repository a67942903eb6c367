// https://fetch.spec.whatwg.org/#fetch-method — the in-isolate surface of fetch that needs no network:
// argument checks, the request's signal, refusals by the host's policy (loopback is refused before
// any connection under the default policy this suite runs with). Nothing here reaches a socket.

test(() => {
  assert_equals(typeof fetch, "function");
  assert_equals(fetch.length, 1);
  assert_equals(fetch.name, "fetch");
  const desc = Object.getOwnPropertyDescriptor(globalThis, "fetch");
  assert_true(desc.enumerable && desc.writable && desc.configurable);
}, "fetch is an enumerable, writable global operation of length 1");

promise_test(async () => {
  const p = fetch("not a url");
  assert_true(p instanceof Promise, "invalid input rejects, it does not throw");
  await promise_rejects_js(TypeError, p);
  await promise_rejects_js(TypeError, fetch());
  await promise_rejects_js(TypeError, fetch("http://user:pass@example.com/"));
}, "an invalid URL, a missing argument and credentials in the URL reject with a TypeError");

promise_test(async () => {
  await promise_rejects_js(TypeError, fetch("http://127.0.0.1/", { method: "GET", body: "x" }));
  await promise_rejects_js(TypeError, fetch("http://127.0.0.1/", { method: "HEAD", body: "x" }));
  await promise_rejects_js(TypeError, fetch("http://127.0.0.1/", { method: "CONNECT" }));
  await promise_rejects_js(TypeError, fetch("http://127.0.0.1/", { method: "bad method" }));
  await promise_rejects_js(TypeError, fetch("http://127.0.0.1/", { redirect: "sometimes" }));
  await promise_rejects_js(TypeError, fetch("http://127.0.0.1/", { signal: {} }));
}, "invalid RequestInit members reject with a TypeError");

promise_test(async () => {
  for (const url of ["ftp://example.com/file", "file:///etc/passwd", "data:text/plain,hi", "about:blank", "ws://x/"]) {
    await promise_rejects_js(TypeError, fetch(url), url);
  }
}, "schemes other than http and https reject with a TypeError");

promise_test(async () => {
  try {
    await fetch("http://127.0.0.1:9/");
    assert_unreached("resolved");
  } catch (err) {
    assert_true(err instanceof TypeError);
    assert_equals(err.message, "fetch to 127.0.0.1 refused: private/loopback addresses are not allowed");
  }
  await promise_rejects_js(TypeError, fetch("http://[::1]/"));
  await promise_rejects_js(TypeError, fetch("http://169.254.169.254/latest/meta-data/"));
}, "the default policy refuses loopback and link-local literals with a TypeError that says why");

promise_test(async () => {
  const err = await fetch("http://127.0.0.1/", { signal: AbortSignal.abort() }).catch((e) => e);
  assert_true(err instanceof DOMException);
  assert_equals(err.name, "AbortError");
  const reason = await fetch("http://127.0.0.1/", { signal: AbortSignal.abort("mine") }).catch((e) => e);
  assert_equals(reason, "mine", "rejects with the signal's reason");
  const request = new Request("http://127.0.0.1/", { signal: AbortSignal.abort() });
  await promise_rejects_dom("AbortError", fetch(request));
}, "an aborted signal rejects at once with its reason (AbortError by default)");

promise_test(async () => {
  const used = new Request("http://127.0.0.1/", { method: "POST", body: "once" });
  await used.text();
  await promise_rejects_js(TypeError, fetch(used));
  const fresh = new Request("http://127.0.0.1/", { method: "POST", body: "once" });
  await fetch(fresh).catch(() => {});
  assert_true(fresh.bodyUsed, "fetch takes the input request's body");
}, "fetch refuses a request whose body was used, and uses up the body it sends");

test(() => {
  const plain = new Request("http://example.com/");
  assert_true(plain.signal instanceof AbortSignal);
  assert_false(plain.signal.aborted);
  assert_equals(plain.signal, plain.signal, "the same signal each time");
  const c = new AbortController();
  const req = new Request("http://example.com/", { signal: c.signal });
  const copy = new Request(req);
  const clone = req.clone();
  assert_not_equals(req.signal, c.signal, "the request's signal follows the given one");
  c.abort("stop");
  assert_true(req.signal.aborted);
  assert_equals(req.signal.reason, "stop");
  assert_true(copy.signal.aborted, "a request made from a request follows its signal");
  assert_true(clone.signal.aborted, "a clone follows the original's signal");
  assert_false(new Request(req, { signal: null }).signal.aborted, "signal: null follows nothing");
}, "Request.signal follows the signal it was given");

test(() => {
  const res = new Response("x");
  assert_equals(res.url, "");
  assert_false(res.redirected);
  assert_equals(res.clone().url, "");
}, "a constructed Response has no URL and was not redirected");
