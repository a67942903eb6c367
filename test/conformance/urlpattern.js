// https://urlpattern.spec.whatwg.org/
test(() => {
  const p = new URLPattern({ pathname: "/books/:id" });
  assert_true(p.test("https://example.com/books/123"));
  assert_false(p.test("https://example.com/books"));
  assert_equals(p.exec("https://example.com/books/123").pathname.groups.id, "123");
  assert_equals(p.pathname, "/books/:id");
  assert_equals(p.protocol, "*");
}, "named groups in a pathname pattern");

test(() => {
  const p = new URLPattern("https://*.example.com/api/*");
  assert_true(p.test("https://a.example.com/api/v1/users"));
  assert_false(p.test("http://a.example.com/api/v1"));
  assert_equals(p.exec("https://shop.example.com/api/x").hostname.groups[0], "shop");
}, "a pattern string with wildcards");

test(() => {
  const p = new URLPattern({ pathname: "/files/:name.:ext(png|jpg)" });
  assert_true(p.test({ pathname: "/files/cat.png" }));
  assert_false(p.test({ pathname: "/files/cat.gif" }));
  assert_deep_equals(p.exec({ pathname: "/files/cat.jpg" }).pathname.groups, { name: "cat", ext: "jpg" });
}, "regexp groups");

test(() => {
  const p = new URLPattern({ pathname: "/post/:slug?" });
  assert_true(p.test({ pathname: "/post" }));
  assert_true(p.test({ pathname: "/post/hello" }));
  const q = new URLPattern({ pathname: "/a/:rest+" });
  assert_true(q.test({ pathname: "/a/b/c" }));
  assert_false(q.test({ pathname: "/a" }));
}, "optional and repeated groups");

test(() => {
  const p = new URLPattern("/users/:id", "https://example.com");
  assert_true(p.test("/users/7", "https://example.com"));
  assert_equals(p.hostname, "example.com");
}, "relative patterns with a base URL");

test(() => {
  assert_throws_js(TypeError, () => new URLPattern({ pathname: "/(unclosed" }));
  assert_throws_js(TypeError, () => new URLPattern("/relative-without-base"));
}, "invalid patterns throw TypeError");

test(() => {
  const p = new URLPattern({ search: "q=:term" });
  assert_equals(p.exec("https://e.com/s?q=nano").search.groups.term, "nano");
  assert_equals(p.exec("https://e.com/s?x=1"), null);
}, "search component");
