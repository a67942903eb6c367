// https://encoding.spec.whatwg.org/ — the basics the foundation runtime provides; the full suite grows here.
test(() => {
  const bytes = new TextEncoder().encode("a€😀");
  assert_array_equals(bytes, [0x61, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
}, "TextEncoder encodes UTF-8");

test(() => {
  assert_equals(new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69])), "hi");
  assert_equals(
    new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x68])),
    "\ufeffh",
  );
}, "TextDecoder strips the BOM unless ignoreBOM");

test(() => {
  assert_equals(new TextDecoder().decode(new Uint8Array([0xff])), "\ufffd");
  assert_throws_js(TypeError, () => new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xff])));
}, "TextDecoder replacement and fatal mode");

test(() => {
  assert_equals(new TextDecoder("latin1").encoding, "windows-1252");
  assert_throws_js(RangeError, () => new TextDecoder("no-such-encoding"));
}, "TextDecoder labels");

test(() => {
  const d = new TextDecoder();
  assert_equals(d.decode(new Uint8Array([0xe2, 0x82]), { stream: true }) + d.decode(new Uint8Array([0xac])), "€");
}, "TextDecoder streaming across chunks");
