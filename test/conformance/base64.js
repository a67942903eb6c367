// https://html.spec.whatwg.org/multipage/webappapis.html#atob and
// https://infra.spec.whatwg.org/#forgiving-base64 — btoa/atob over binary strings.

test(() => {
  assert_equals(btoa(""), "");
  assert_equals(btoa("f"), "Zg==");
  assert_equals(btoa("fo"), "Zm8=");
  assert_equals(btoa("foo"), "Zm9v");
  assert_equals(btoa("foob"), "Zm9vYg==");
  assert_equals(btoa("fooba"), "Zm9vYmE=");
  assert_equals(btoa("foobar"), "Zm9vYmFy");
}, "btoa RFC 4648 test vectors");

test(() => {
  assert_equals(atob(""), "");
  assert_equals(atob("Zg=="), "f");
  assert_equals(atob("Zm8="), "fo");
  assert_equals(atob("Zm9v"), "foo");
  assert_equals(atob("Zm9vYg=="), "foob");
  assert_equals(atob("Zm9vYmE="), "fooba");
  assert_equals(atob("Zm9vYmFy"), "foobar");
}, "atob RFC 4648 test vectors");

test(() => {
  let all = "";
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
  assert_equals(atob(btoa(all)), all);
  assert_equals(btoa("\xff\xfe"), "//4=");
  assert_equals(btoa("\x00"), "AA==");
}, "btoa/atob round-trip every byte");

test(() => {
  assert_throws_dom("InvalidCharacterError", () => btoa("€"));
  assert_throws_dom("InvalidCharacterError", () => btoa("\u0100"));
  assert_throws_dom("InvalidCharacterError", () => btoa("abc\ud800"));
  assert_equals(btoa("\u00ff"), "/w==");
}, "btoa rejects code units above U+00FF");

test(() => {
  assert_equals(btoa(undefined), "dW5kZWZpbmVk");
  assert_equals(btoa(null), "bnVsbA==");
  assert_equals(btoa(12), "MTI=");
  assert_equals(btoa({ toString: () => "x" }), "eA==");
  assert_throws_js(TypeError, () => btoa());
  assert_throws_js(TypeError, () => btoa(Symbol()));
}, "btoa converts its argument with ToString");

test(() => {
  assert_equals(atob(" Z g = = "), "f");
  assert_equals(atob("\tZm\n9v\f\r"), "foo");
  assert_equals(atob("Zg"), "f", "padding is optional");
  assert_equals(atob("Zm8"), "fo");
  assert_equals(atob("Zh=="), "f", "non-zero trailing bits are discarded");
}, "atob is forgiving: whitespace, missing padding, trailing bits");

test(() => {
  const bad = ["Z", "Zg=", "Zg===", "Z===", "=Zg=", "Zg=a", "Zm9v=", "ab!c", "Zm9v\u00a0", "Zm\v9v", "Z-_g", "Zg==="];
  for (const s of bad) assert_throws_dom("InvalidCharacterError", () => atob(s), JSON.stringify(s));
}, "atob rejects malformed input with InvalidCharacterError");

test(() => {
  assert_equals(atob(null), "\x9e\xe9e");
  assert_throws_dom("InvalidCharacterError", () => atob(undefined));
  assert_equals(atob(12), "\xd7");
  assert_throws_js(TypeError, () => atob());
}, "atob converts its argument with ToString");

test(() => {
  assert_equals(atob.length, 1);
  assert_equals(btoa.length, 1);
  assert_equals(atob.name, "atob");
  assert_equals(btoa.name, "btoa");
}, "atob and btoa function properties");

test(() => {
  const big = "\xff".repeat(100000) + "abc";
  const encoded = btoa(big);
  assert_equals(encoded.length, Math.ceil(big.length / 3) * 4);
  assert_equals(atob(encoded), big);
}, "large inputs");
