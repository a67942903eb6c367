// https://webassembly.github.io/spec/js-api/ and https://webassembly.github.io/spec/web-api/
// (module bytes: (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
const ADD = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7, 1, 3, 97, 100, 100, 0, 0, 10, 9, 1,
  7, 0, 32, 0, 32, 1, 106, 11,
]);
// (import "env" "twice" (func (param i32) (result i32))) (func (export "run") (param i32) (result i32) local.get 0 call 0)
const IMPORTS = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 2, 13, 1, 3, 101, 110, 118, 5, 116, 119, 105, 99, 101, 0, 0,
  3, 2, 1, 0, 7, 7, 1, 3, 114, 117, 110, 0, 1, 10, 8, 1, 6, 0, 32, 0, 16, 0, 11,
]);

test(() => {
  assert_equals(typeof WebAssembly, "object");
  assert_true(WebAssembly.validate(ADD));
  assert_false(WebAssembly.validate(new Uint8Array([1, 2, 3])));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(ADD));
  assert_equals(instance.exports.add(2, 3), 5);
}, "synchronous Module and Instance");

promise_test(async () => {
  const module = await WebAssembly.compile(ADD);
  assert_true(module instanceof WebAssembly.Module);
  const { instance } = await WebAssembly.instantiate(ADD);
  assert_equals(instance.exports.add(40, 2), 42);
  const again = await WebAssembly.instantiate(module);
  assert_true(again instanceof WebAssembly.Instance);
}, "compile and instantiate settle");

promise_test(async () => {
  const { instance } = await WebAssembly.instantiate(IMPORTS, { env: { twice: (x) => x * 2 } });
  assert_equals(instance.exports.run(21), 42);
  await promise_rejects_js(WebAssembly.LinkError, WebAssembly.instantiate(IMPORTS, { env: {} }));
}, "imports, and LinkError when one is missing");

promise_test(async () => {
  await promise_rejects_js(
    WebAssembly.CompileError,
    WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 2, 0, 0, 0])),
  );
}, "CompileError for bad bytes");

promise_test(async () => {
  const res = new Response(ADD, { headers: { "content-type": "application/wasm" } });
  const { instance } = await WebAssembly.instantiateStreaming(res);
  assert_equals(instance.exports.add(1, 1), 2);
  const module = await WebAssembly.compileStreaming(
    Promise.resolve(new Response(ADD, { headers: { "content-type": "application/wasm; x=y" } })),
  );
  assert_true(module instanceof WebAssembly.Module);
}, "instantiateStreaming and compileStreaming take a Response or a promise of one");

promise_test(async () => {
  await promise_rejects_js(TypeError, WebAssembly.compileStreaming(new Response(ADD)));
  await promise_rejects_js(
    TypeError,
    WebAssembly.compileStreaming(new Response(ADD, { status: 404, headers: { "content-type": "application/wasm" } })),
  );
  await promise_rejects_js(TypeError, WebAssembly.compileStreaming(ADD));
}, "streaming forms need an ok Response with Content-Type application/wasm");
