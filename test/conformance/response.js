// https://fetch.spec.whatwg.org/#response-class — the ResponseInit dictionary and the arguments of
// Response's static methods, converted as WebIDL says.

test(() => {
  assert_throws_js(TypeError, () => new Response("x", "str"));
  assert_throws_js(TypeError, () => new Response("x", 5));
  assert_throws_js(TypeError, () => Response.json(1, "str"));
  assert_equals(new Response("x", null).status, 200, "null is the empty dictionary");
  assert_equals(new Response("x", undefined).status, 200);
}, "the init argument must be an object, null or undefined");

test(() => {
  assert_equals(new Response(null, { status: "201" }).status, 201, "a string converts with ToNumber");
  assert_equals(new Response(null, { status: 200.9 }).status, 200, "unsigned short truncates");
  assert_equals(new Response(null, { status: 65536 + 204 }).status, 204, "and wraps modulo 2^16");
  assert_throws_js(RangeError, () => new Response(null, { status: NaN }), "NaN is 0, out of range");
  assert_throws_js(RangeError, () => new Response(null, { status: 600 }));
  assert_throws_js(TypeError, () => new Response(null, { status: Symbol() }));
  assert_throws_js(TypeError, () => new Response(null, { statusText: "\u0100" }), "statusText is a ByteString");
  assert_equals(new Response(null, { statusText: "caf\u00e9" }).statusText, "caf\u00e9");
  assert_throws_js(TypeError, () => new Response(null, { headers: null }), "null is not a HeadersInit");
}, "ResponseInit: status is an unsigned short, statusText a ByteString");

test(() => {
  const order = [];
  const init = {};
  for (const k of ["statusText", "status", "headers"]) {
    Object.defineProperty(init, k, {
      get() {
        order.push(k);
        return undefined;
      },
    });
  }
  new Response(null, init);
  assert_array_equals(order, ["headers", "status", "statusText"]);
  // The init is converted before the status is checked: a bad header in a valid init is a TypeError,
  // a bad status with valid headers a RangeError.
  assert_throws_js(RangeError, () => new Response(null, { status: 100, headers: [["a", "b"]] }));
}, "ResponseInit members are read in lexicographic order");

test(() => {
  const r = Response.json({ a: 1 }, { status: 201, statusText: "Made", headers: { "x-a": "1" } });
  assert_equals(r.status, 201);
  assert_equals(r.statusText, "Made");
  assert_equals(r.headers.get("content-type"), "application/json");
  assert_equals(r.headers.get("x-a"), "1");
  const typed = Response.json(1, { headers: { "content-type": "application/vnd.x+json" } });
  assert_equals(typed.headers.get("content-type"), "application/vnd.x+json");
  assert_throws_js(TypeError, () => Response.json());
  assert_throws_js(TypeError, () => Response.json(Symbol()));
  assert_throws_js(RangeError, () => Response.json(1, { status: 99 }));
  assert_throws_js(TypeError, () => Response.json(1, { status: 204 }), "a null-body status cannot carry the JSON");
}, "Response.json converts its init and keeps a given Content-Type");

test(() => {
  assert_equals(Response.redirect("https://e.com/", "301").status, 301, "status converts to unsigned short");
  assert_equals(Response.redirect("https://e.com/").status, 302);
  assert_equals(Response.redirect("https://e.com/", 307.5).status, 307);
  assert_throws_js(RangeError, () => Response.redirect("https://e.com/", 200));
  assert_throws_js(TypeError, () => Response.redirect("not a url"));
  assert_throws_js(TypeError, () => Response.redirect());
  assert_equals(Response.redirect({ toString: () => "https://e.com/x" }).headers.get("location"), "https://e.com/x");
}, "Response.redirect(url, status): a USVString and an unsigned short");
