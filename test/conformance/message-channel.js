// https://html.spec.whatwg.org/multipage/web-messaging.html#channel-messaging — MessageChannel, MessagePort.

const nextMessage = (port) => new Promise((resolve) => port.addEventListener("message", resolve, { once: true }));
const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

test(() => {
  const c = new MessageChannel();
  assert_true(c.port1 instanceof MessagePort);
  assert_true(c.port2 instanceof MessagePort);
  assert_true(c.port1 instanceof EventTarget);
  assert_not_equals(c.port1, c.port2);
  assert_equals(c.port1, c.port1, "the same port each time");
  assert_throws_js(TypeError, () => new MessagePort());
  assert_throws_js(TypeError, () => MessageChannel());
  assert_equals(c.port1.onmessage, null);
  assert_equals(c.port1.onmessageerror, null);
  assert_equals(Object.prototype.toString.call(c.port1), "[object MessagePort]");
  c.port1.close();
}, "MessageChannel creates two entangled MessagePorts");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  const got = nextMessage(port2);
  port2.start();
  const data = { a: [1, 2], d: new Date(0) };
  port1.postMessage(data);
  const e = await got;
  assert_true(e instanceof MessageEvent);
  assert_true(e.isTrusted);
  assert_equals(e.type, "message");
  assert_not_equals(e.data, data, "the data is a clone");
  assert_deep_equals(e.data, data);
  assert_true(e.data.d instanceof Date);
  assert_equals(e.target, port2);
  assert_equals(e.origin, "");
  assert_equals(e.source, null);
  assert_array_equals(e.ports, []);
  port1.close();
}, "postMessage delivers a structured clone as a MessageEvent");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  let delivered = false;
  port2.onmessage = () => {
    delivered = true;
  };
  port1.postMessage("x");
  assert_false(delivered, "not synchronously");
  await Promise.resolve();
  await Promise.resolve();
  assert_false(delivered, "not as a microtask");
  await tick();
  assert_true(delivered);
  port1.close();
}, "messages are delivered in a later task");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  port2.addEventListener("message", (e) => got.push(e.data));
  port1.postMessage(1);
  await tick();
  assert_array_equals(got, [], "addEventListener does not start the port");
  port2.start();
  await tick();
  assert_array_equals(got, [1], "queued messages are delivered after start()");
  port1.close();
}, "messages wait in the queue until start()");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  port1.postMessage("early");
  port2.onmessage = (e) => got.push(e.data);
  await tick();
  assert_array_equals(got, ["early"]);
  port1.close();
}, "setting onmessage starts the port");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  port2.onmessage = (e) => got.push(e.data);
  for (let i = 0; i < 20; i++) port1.postMessage(i);
  await tick(30);
  assert_array_equals(
    got,
    Array.from({ length: 20 }, (_, i) => i),
  );
  port1.close();
}, "messages arrive in order");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  port1.onmessage = (e) => got.push(`1:${e.data}`);
  port2.onmessage = (e) => {
    got.push(`2:${e.data}`);
    port2.postMessage("pong");
  };
  port1.postMessage("ping");
  await tick(20);
  assert_array_equals(got, ["2:ping", "1:pong"]);
  port1.close();
}, "both directions");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  const order = [];
  port2.onmessage = (e) => {
    order.push(`message ${e.data}`);
    Promise.resolve().then(() => order.push(`microtask ${e.data}`));
  };
  port1.postMessage(1);
  port1.postMessage(2);
  await tick(20);
  assert_array_equals(order, ["message 1", "microtask 1", "message 2", "microtask 2"]);
  port1.close();
}, "each message is its own task: microtasks run between messages");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  let got = false;
  port2.onmessage = () => {
    got = true;
  };
  port2.close();
  port1.postMessage("to closed");
  await tick();
  assert_false(got);
}, "a message to a closed port is not delivered");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  let got = false;
  port2.onmessage = () => {
    got = true;
  };
  port1.close();
  port1.postMessage("from closed");
  await tick();
  assert_false(got);
}, "a message from a closed port is not delivered");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  port2.onmessage = (e) => got.push(e.data);
  port1.postMessage("in flight");
  port1.close();
  await tick();
  assert_array_equals(got, ["in flight"]);
}, "in-flight messages are delivered when the sender closes afterwards");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  const buf = new Uint8Array([7, 8]).buffer;
  const got = nextMessage(port2);
  port2.start();
  port1.postMessage({ buf }, [buf]);
  assert_equals(buf.byteLength, 0, "detached at postMessage");
  const e = await got;
  assert_array_equals(new Uint8Array(e.data.buf), [7, 8]);
  const buf2 = new ArrayBuffer(2);
  port1.postMessage(buf2, { transfer: [buf2] });
  assert_equals(buf2.byteLength, 0, "the options form");
  port1.close();
}, "postMessage transfers ArrayBuffers (sequence and options forms)");

promise_test(async () => {
  const a = new MessageChannel();
  const b = new MessageChannel();
  const got = nextMessage(a.port2);
  a.port2.start();
  a.port1.postMessage({ port: b.port1 }, [b.port1]);
  const e = await got;
  assert_equals(e.ports.length, 1);
  const moved = e.ports[0];
  assert_true(moved instanceof MessagePort);
  assert_equals(e.data.port, moved, "the data refers to the transferred port");
  assert_true(Object.isFrozen(e.ports));
  const reply = nextMessage(b.port2);
  b.port2.start();
  moved.postMessage("via moved port");
  assert_equals((await reply).data, "via moved port");
  a.port1.close();
  b.port2.close();
}, "a transferred MessagePort stays entangled and arrives in event.ports");

test(() => {
  const { port1, port2 } = new MessageChannel();
  assert_throws_dom("DataCloneError", () => port1.postMessage(null, [port1]), "a port cannot transfer itself");
  assert_throws_dom("DataCloneError", () => port1.postMessage(() => {}));
  assert_throws_dom("DataCloneError", () => port1.postMessage(port2), "a port must be transferred, not cloned");
  assert_throws_js(TypeError, () => port1.postMessage());
  assert_throws_js(TypeError, () => port1.postMessage(1, 5));
  assert_throws_js(TypeError, () => MessagePort.prototype.postMessage.call({}, 1));
  assert_throws_js(TypeError, () => MessagePort.prototype.start.call({}));
  port1.close();
}, "postMessage errors");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  let got = false;
  port2.onmessage = () => {
    got = true;
  };
  port1.postMessage("x", [port2]);
  await tick();
  assert_false(got, "posting the target port itself drops the message");
}, "transferring the entangled port drops the message");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  const errors = [];
  const onError = (e) => {
    errors.push(e.error);
    e.preventDefault();
  };
  addEventListener("error", onError);
  const got = [];
  port2.onmessage = (e) => {
    got.push(e.data);
    throw new Error(`in onmessage ${e.data}`);
  };
  port1.postMessage(1);
  port1.postMessage(2);
  await tick(20);
  removeEventListener("error", onError);
  assert_array_equals(got, [1, 2], "an exception does not stop later messages");
  assert_equals(errors.length, 2);
  assert_equals(errors[0].message, "in onmessage 1");
  port1.close();
}, "exceptions in message listeners are reported");
