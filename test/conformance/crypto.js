// https://w3c.github.io/webcrypto/ — Crypto, SubtleCrypto and CryptoKey inside a NANO isolate:
// interface shape, getRandomValues/randomUUID, known-answer vectors from the RFCs and NIST, round
// trips for every algorithm and format, and the errors the spec names.

const subtle = crypto.subtle;
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (s) => new Uint8Array((s.match(/../g) || []).map((h) => Number.parseInt(h, 16)));
const utf8 = (s) => new TextEncoder().encode(s);
const B64U = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const b64u = (bytes) => {
  let out = "";
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += B64U[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += B64U[(acc << (6 - bits)) & 63];
  return out;
};
const once = (f) => {
  let p;
  return () => {
    p ??= f();
    return p;
  };
};
const isAB = (v) => Object.prototype.toString.call(v) === "[object ArrayBuffer]";
const abc = utf8("abc");

// ---------------------------------------------------------------------------------------------------
// Interfaces

test(() => {
  assert_equals(typeof Crypto, "function");
  assert_equals(typeof SubtleCrypto, "function");
  assert_equals(typeof CryptoKey, "function");
  assert_true(crypto instanceof Crypto);
  assert_true(crypto.subtle instanceof SubtleCrypto);
  assert_equals(crypto.subtle, crypto.subtle, "[SameObject]");
}, "crypto is a Crypto with a SubtleCrypto");

test(() => {
  assert_throws_js(TypeError, () => new Crypto());
  assert_throws_js(TypeError, () => new SubtleCrypto());
  assert_throws_js(TypeError, () => new CryptoKey());
  assert_throws_js(TypeError, () => Crypto());
}, "Crypto, SubtleCrypto and CryptoKey cannot be constructed");

test(() => {
  const d = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  assert_true(d.enumerable, "crypto is enumerable");
  assert_true(d.configurable, "crypto is configurable");
  for (const name of ["Crypto", "SubtleCrypto", "CryptoKey"]) {
    const c = Object.getOwnPropertyDescriptor(globalThis, name);
    assert_false(c.enumerable, `${name} is not enumerable`);
    assert_true(c.writable, `${name} is writable`);
  }
}, "global property descriptors");

test(() => {
  assert_equals(Object.prototype.toString.call(crypto), "[object Crypto]");
  assert_equals(Object.prototype.toString.call(crypto.subtle), "[object SubtleCrypto]");
  assert_equals(Object.prototype.toString.call(CryptoKey.prototype), "[object CryptoKey]");
}, "@@toStringTag of the interfaces");

test(() => {
  const names = Object.keys(SubtleCrypto.prototype).sort();
  assert_array_equals(names, [
    "decrypt",
    "deriveBits",
    "deriveKey",
    "digest",
    "encrypt",
    "exportKey",
    "generateKey",
    "importKey",
    "sign",
    "unwrapKey",
    "verify",
    "wrapKey",
  ]);
  assert_array_equals(Object.keys(Crypto.prototype).sort(), ["getRandomValues", "randomUUID", "subtle"]);
  assert_array_equals(Object.keys(CryptoKey.prototype).sort(), ["algorithm", "extractable", "type", "usages"]);
}, "interface members are enumerable on the prototypes");

test(() => {
  assert_equals(SubtleCrypto.prototype.digest.length, 2);
  assert_equals(SubtleCrypto.prototype.encrypt.length, 3);
  assert_equals(SubtleCrypto.prototype.verify.length, 4);
  assert_equals(SubtleCrypto.prototype.importKey.length, 5);
  assert_equals(SubtleCrypto.prototype.unwrapKey.length, 7);
  assert_equals(SubtleCrypto.prototype.deriveBits.length, 2);
  assert_equals(Crypto.prototype.getRandomValues.length, 1);
}, "method lengths follow the IDL");

test(() => {
  assert_throws_js(TypeError, () => Crypto.prototype.getRandomValues.call({}, new Uint8Array(1)));
  assert_throws_js(TypeError, () => Crypto.prototype.randomUUID.call(undefined));
  const get = Object.getOwnPropertyDescriptor(Crypto.prototype, "subtle").get;
  assert_throws_js(TypeError, () => get.call({}));
  for (const m of ["type", "extractable", "algorithm", "usages"]) {
    const g = Object.getOwnPropertyDescriptor(CryptoKey.prototype, m).get;
    assert_throws_js(TypeError, () => g.call({}), m);
  }
}, "Crypto and CryptoKey members check their receiver");

promise_test(async () => {
  await promise_rejects_js(TypeError, SubtleCrypto.prototype.digest.call({}, "SHA-256", abc));
  const { digest } = crypto.subtle;
  await promise_rejects_js(TypeError, digest("SHA-256", abc));
}, "SubtleCrypto methods reject a foreign receiver with TypeError");

// ---------------------------------------------------------------------------------------------------
// getRandomValues / randomUUID

test(() => {
  const a = new Uint8Array(32);
  const r = crypto.getRandomValues(a);
  assert_equals(r, a, "returns the same array");
  assert_true(
    a.some((b) => b !== 0),
    "bytes were written",
  );
}, "getRandomValues fills the array in place and returns it");

test(() => {
  for (const T of [
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    BigInt64Array,
    BigUint64Array,
  ]) {
    const a = new T(8);
    assert_equals(crypto.getRandomValues(a), a, T.name);
  }
}, "getRandomValues accepts every integer TypedArray");

test(() => {
  assert_throws_dom("TypeMismatchError", () => crypto.getRandomValues(new Float32Array(4)));
  assert_throws_dom("TypeMismatchError", () => crypto.getRandomValues(new Float64Array(4)));
  assert_throws_dom("TypeMismatchError", () => crypto.getRandomValues(new DataView(new ArrayBuffer(4))));
}, "getRandomValues rejects float arrays and DataView with TypeMismatchError");

test(() => {
  assert_throws_js(TypeError, () => crypto.getRandomValues(new ArrayBuffer(4)));
  assert_throws_js(TypeError, () => crypto.getRandomValues(4));
  assert_throws_js(TypeError, () => crypto.getRandomValues([1, 2, 3]));
  assert_throws_js(TypeError, () => crypto.getRandomValues());
}, "getRandomValues requires an ArrayBufferView (TypeError)");

test(() => {
  assert_equals(crypto.getRandomValues(new Uint8Array(65536)).length, 65536);
  assert_throws_dom("QuotaExceededError", () => crypto.getRandomValues(new Uint8Array(65537)));
  assert_throws_dom("QuotaExceededError", () => crypto.getRandomValues(new Uint32Array(16385)));
  assert_equals(crypto.getRandomValues(new Uint8Array(0)).length, 0);
}, "getRandomValues allows 65536 bytes and throws QuotaExceededError past that");

test(() => {
  const buf = new Uint8Array(64);
  crypto.getRandomValues(buf.subarray(16, 48));
  assert_true(
    buf.subarray(0, 16).every((b) => b === 0),
    "bytes before the view untouched",
  );
  assert_true(
    buf.subarray(48).every((b) => b === 0),
    "bytes after the view untouched",
  );
}, "getRandomValues fills only the view's bytes");

test(() => {
  const a = crypto.getRandomValues(new Uint8Array(32));
  const b = crypto.getRandomValues(new Uint8Array(32));
  assert_not_equals(hex(a), hex(b));
  const big = crypto.getRandomValues(new Uint8Array(4096));
  const counts = new Array(256).fill(0);
  for (const x of big) counts[x]++;
  assert_true(Math.max(...counts) < 60, "no byte value dominates");
}, "getRandomValues returns fresh, plausibly uniform bytes");

test(() => {
  const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const seen = new Set();
  for (let i = 0; i < 1000; i++) {
    const u = crypto.randomUUID();
    assert_true(re.test(u), u);
    seen.add(u);
  }
  assert_equals(seen.size, 1000);
}, "randomUUID returns distinct RFC 9562 version 4 UUIDs");

// ---------------------------------------------------------------------------------------------------
// digest

promise_test(async () => {
  assert_equals(hex(await subtle.digest("SHA-1", abc)), "a9993e364706816aba3e25717850c26c9cd0d89d");
  assert_equals(
    hex(await subtle.digest("SHA-256", abc)),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert_equals(
    hex(await subtle.digest("SHA-384", abc)),
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
  );
  assert_equals(
    hex(await subtle.digest("SHA-512", abc)),
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
  );
}, 'digest: FIPS 180 vectors for "abc"');

promise_test(async () => {
  assert_equals(
    hex(await subtle.digest("SHA-256", new Uint8Array(0))),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert_equals(
    hex(await subtle.digest("SHA-256", utf8("a".repeat(1000000)))),
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
  );
}, "digest: empty input and one million a's");

promise_test(async () => {
  const expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  assert_equals(hex(await subtle.digest("sha-256", abc)), expected);
  assert_equals(hex(await subtle.digest({ name: "Sha-256" }, abc)), expected);
  assert_equals(hex(await subtle.digest({ name: "SHA-256", extra: 1 }, abc)), expected);
}, "digest: algorithm names are ASCII case-insensitive, as string or {name}");

promise_test(async () => {
  const expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  assert_equals(hex(await subtle.digest("SHA-256", abc.buffer)), expected, "ArrayBuffer");
  const big = new Uint8Array([0, 0x61, 0x62, 0x63, 0]);
  assert_equals(hex(await subtle.digest("SHA-256", big.subarray(1, 4))), expected, "view with an offset");
  assert_equals(hex(await subtle.digest("SHA-256", new DataView(big.buffer, 1, 3))), expected, "DataView");
}, "digest: accepts any BufferSource and hashes only the viewed bytes");

promise_test(async () => {
  const data = utf8("abc");
  const p = subtle.digest("SHA-256", data);
  data[0] = 0x7a;
  assert_equals(hex(await p), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert_true(isAB(await subtle.digest("SHA-1", data)));
}, "digest: input is copied at call time; the result is an ArrayBuffer");

promise_test(async () => {
  await promise_rejects_dom("NotSupportedError", subtle.digest("MD5", abc));
  await promise_rejects_dom("NotSupportedError", subtle.digest("SHA-257", abc));
  await promise_rejects_dom("NotSupportedError", subtle.digest("\u017fha-256", abc));
  await promise_rejects_dom("NotSupportedError", subtle.digest("HMAC", abc));
}, "digest: unknown algorithms reject with NotSupportedError");

promise_test(async () => {
  await promise_rejects_js(TypeError, subtle.digest({}, abc));
  await promise_rejects_js(TypeError, subtle.digest("SHA-256", "abc"));
  await promise_rejects_js(TypeError, subtle.digest("SHA-256"));
  await promise_rejects_js(TypeError, subtle.digest("SHA-256", [1, 2]));
  await promise_rejects_js(TypeError, subtle.digest(Symbol("x"), abc));
}, "digest: bad arguments reject with TypeError");

// ---------------------------------------------------------------------------------------------------
// HMAC

const rfc4231 = {
  key1: new Uint8Array(20).fill(0x0b),
  data1: utf8("Hi There"),
  sha256_1: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
  sha512_1:
    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
  sha256_2: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
};
const hmacKey = (hash, usages = ["sign", "verify"], extractable = true, raw = rfc4231.key1) =>
  subtle.importKey("raw", raw, { name: "HMAC", hash }, extractable, usages);

promise_test(async () => {
  const k256 = await hmacKey("SHA-256");
  assert_equals(hex(await subtle.sign("HMAC", k256, rfc4231.data1)), rfc4231.sha256_1);
  const k512 = await hmacKey({ name: "SHA-512" });
  assert_equals(hex(await subtle.sign({ name: "hmac" }, k512, rfc4231.data1)), rfc4231.sha512_1);
  const jefe = await hmacKey("SHA-256", ["sign"], false, utf8("Jefe"));
  assert_equals(hex(await subtle.sign("HMAC", jefe, utf8("what do ya want for nothing?"))), rfc4231.sha256_2);
}, "HMAC: RFC 4231 test cases 1 and 2");

promise_test(async () => {
  const k = await hmacKey("SHA-256");
  assert_true(await subtle.verify("HMAC", k, unhex(rfc4231.sha256_1), rfc4231.data1));
  const bad = unhex(rfc4231.sha256_1);
  bad[0] ^= 1;
  assert_false(await subtle.verify("HMAC", k, bad, rfc4231.data1));
  assert_false(await subtle.verify("HMAC", k, unhex(rfc4231.sha256_1).subarray(0, 16), rfc4231.data1));
}, "HMAC: verify accepts the right MAC and rejects a changed or truncated one");

promise_test(async () => {
  const k = await hmacKey("SHA-256");
  assert_equals(k.type, "secret");
  assert_true(k.extractable);
  assert_deep_equals(k.algorithm, { name: "HMAC", length: 160, hash: { name: "SHA-256" } });
  assert_array_equals(k.usages, ["sign", "verify"]);
  assert_equals(k.algorithm, k.algorithm, "[[algorithm]] is cached");
  assert_equals(k.usages, k.usages, "[[usages]] is cached");
}, "HMAC: importKey raw makes a secret CryptoKey with its algorithm");

promise_test(async () => {
  const k = await subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
  assert_equals(k.algorithm.length, 512);
  assert_equals((await subtle.exportKey("raw", k)).byteLength, 64);
  const k2 = await subtle.generateKey({ name: "HMAC", hash: "SHA-512" }, true, ["sign"]);
  assert_equals(k2.algorithm.length, 1024);
  const k3 = await subtle.generateKey({ name: "HMAC", hash: "SHA-1", length: 100 }, true, ["verify", "sign"]);
  assert_equals(k3.algorithm.length, 100);
  assert_equals((await subtle.exportKey("raw", k3)).byteLength, 13);
  assert_array_equals(k3.usages, ["sign", "verify"]);
}, "HMAC: generateKey uses the hash's block size unless a length is given");

promise_test(async () => {
  const raw = rfc4231.key1;
  const ok = await subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256", length: 153 }, true, ["sign"]);
  assert_equals(ok.algorithm.length, 153);
  await promise_rejects_dom(
    "DataError",
    subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256", length: 152 }, true, ["sign"]),
  );
  await promise_rejects_dom(
    "DataError",
    subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256", length: 161 }, true, ["sign"]),
  );
  await promise_rejects_dom("DataError", hmacKey("SHA-256", ["sign"], true, new Uint8Array(0)));
}, "HMAC: importKey checks the length member against the key data");

promise_test(async () => {
  const k = await hmacKey("SHA-384", ["sign", "verify"]);
  const jwk = await subtle.exportKey("jwk", k);
  assert_equals(jwk.kty, "oct");
  assert_equals(jwk.alg, "HS384");
  assert_equals(jwk.k, b64u(rfc4231.key1));
  assert_array_equals(jwk.key_ops, ["sign", "verify"]);
  assert_equals(jwk.ext, true);
  const back = await subtle.importKey("jwk", jwk, { name: "HMAC", hash: "SHA-384" }, false, ["sign"]);
  assert_equals(hex(await subtle.sign("HMAC", back, abc)), hex(await subtle.sign("HMAC", k, abc)));
  assert_equals(hex(await subtle.exportKey("raw", k)), hex(rfc4231.key1));
}, "HMAC: raw and jwk export round trip");

promise_test(async () => {
  const base = { kty: "oct", k: b64u(rfc4231.key1) };
  const imp = (jwk, usages = ["sign"], extractable = true) =>
    subtle.importKey("jwk", jwk, { name: "HMAC", hash: "SHA-256" }, extractable, usages);
  await promise_rejects_dom("DataError", imp({ ...base, alg: "HS512" }), "alg mismatch");
  await promise_rejects_dom("DataError", imp({ ...base, kty: "RSA" }), "kty");
  await promise_rejects_dom("DataError", imp({ kty: "oct" }), "no k");
  await promise_rejects_dom("DataError", imp({ ...base, use: "enc" }), "use");
  await promise_rejects_dom("DataError", imp({ ...base, ext: false }), "ext false but extractable");
  await promise_rejects_dom("DataError", imp({ ...base, key_ops: ["verify"] }), "key_ops without sign");
  await promise_rejects_dom("DataError", imp({ ...base, key_ops: ["sign", "sign"] }), "duplicate key_ops");
  const ok = await imp({ ...base, alg: "HS256", use: "sig", key_ops: ["sign", "verify"], ext: false }, ["sign"], false);
  assert_equals(ok.extractable, false);
}, "HMAC: jwk import checks kty, k, alg, use, key_ops and ext (DataError)");

promise_test(async () => {
  await promise_rejects_dom("SyntaxError", subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["encrypt"]));
  await promise_rejects_dom("SyntaxError", subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, []));
  await promise_rejects_dom("SyntaxError", hmacKey("SHA-256", []));
  await promise_rejects_dom(
    "OperationError",
    subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 0 }, true, ["sign"]),
  );
}, "HMAC: invalid or empty usages are SyntaxErrors; a zero length is an OperationError");

promise_test(async () => {
  await promise_rejects_js(TypeError, subtle.generateKey({ name: "HMAC" }, true, ["sign"]));
  await promise_rejects_dom("NotSupportedError", subtle.generateKey({ name: "HMAC", hash: "MD5" }, true, ["sign"]));
  await promise_rejects_dom(
    "NotSupportedError",
    hmacKey("SHA-256").then((k) => subtle.exportKey("spki", k)),
  );
  await promise_rejects_dom(
    "NotSupportedError",
    subtle.importKey("spki", new Uint8Array(32), { name: "HMAC", hash: "SHA-256" }, true, ["sign"]),
  );
}, "HMAC: missing hash is a TypeError; MD5 and spki are NotSupportedError");

promise_test(async () => {
  const verifyOnly = await hmacKey("SHA-256", ["verify"]);
  await promise_rejects_dom("InvalidAccessError", subtle.sign("HMAC", verifyOnly, abc));
  const aes = await subtle.generateKey({ name: "AES-GCM", length: 128 }, true, ["encrypt"]);
  await promise_rejects_dom("InvalidAccessError", subtle.sign("HMAC", aes, abc));
  const hidden = await hmacKey("SHA-256", ["sign"], false);
  await promise_rejects_dom("InvalidAccessError", subtle.exportKey("raw", hidden));
  await promise_rejects_dom("InvalidAccessError", subtle.exportKey("jwk", hidden));
  await promise_rejects_js(TypeError, subtle.sign("HMAC", { type: "secret" }, abc));
}, "HMAC: wrong usage, wrong algorithm and non-extractable keys are InvalidAccessError");

// ---------------------------------------------------------------------------------------------------
// AES-GCM

const gcm = {
  key: unhex("feffe9928665731c6d6a8f9467308308"),
  iv: unhex("cafebabefacedbaddecaf888"),
  pt3: unhex(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
  ),
  ct3: "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
  tag3: "4d5c2af327cd64a62cf35abd2ba6fab4",
  aad4: unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2"),
  ct4: "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
  tag4: "5bc94fbc3221a5db94fae95ae7121a47",
};
const gcmKey = once(() => subtle.importKey("raw", gcm.key, "AES-GCM", true, ["encrypt", "decrypt"]));

promise_test(async () => {
  const zero = await subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt"]);
  const ct = await subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, zero, new Uint8Array(16));
  assert_equals(hex(ct), "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf");
}, "AES-GCM: NIST GCM test case 2");

promise_test(async () => {
  const k = await gcmKey();
  const ct = await subtle.encrypt({ name: "AES-GCM", iv: gcm.iv }, k, gcm.pt3);
  assert_equals(hex(ct), gcm.ct3 + gcm.tag3);
}, "AES-GCM: NIST GCM test case 3");

promise_test(async () => {
  const k = await gcmKey();
  const pt4 = gcm.pt3.subarray(0, 60);
  const ct = await subtle.encrypt({ name: "AES-GCM", iv: gcm.iv, additionalData: gcm.aad4 }, k, pt4);
  assert_equals(hex(ct), gcm.ct4 + gcm.tag4);
  const pt = await subtle.decrypt({ name: "AES-GCM", iv: gcm.iv, additionalData: gcm.aad4 }, k, ct);
  assert_equals(hex(pt), hex(pt4));
}, "AES-GCM: NIST GCM test case 4 (additional data), both ways");

promise_test(async () => {
  const k = await gcmKey();
  for (const tagLength of [32, 64, 96, 104, 112, 120, 128]) {
    const ct = await subtle.encrypt({ name: "AES-GCM", iv: gcm.iv, tagLength }, k, abc);
    assert_equals(ct.byteLength, 3 + tagLength / 8, `tagLength ${tagLength}`);
    const pt = await subtle.decrypt({ name: "AES-GCM", iv: gcm.iv, tagLength }, k, ct);
    assert_equals(hex(pt), hex(abc));
  }
  await promise_rejects_dom("OperationError", subtle.encrypt({ name: "AES-GCM", iv: gcm.iv, tagLength: 48 }, k, abc));
  await promise_rejects_js(TypeError, subtle.encrypt({ name: "AES-GCM", iv: gcm.iv, tagLength: 256 }, k, abc));
}, "AES-GCM: every valid tagLength round-trips; others are errors");

promise_test(async () => {
  const k = await gcmKey();
  const ct = new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv: gcm.iv, additionalData: abc }, k, abc));
  const flipped = ct.slice();
  flipped[0] ^= 1;
  await promise_rejects_dom(
    "OperationError",
    subtle.decrypt({ name: "AES-GCM", iv: gcm.iv, additionalData: abc }, k, flipped),
  );
  await promise_rejects_dom("OperationError", subtle.decrypt({ name: "AES-GCM", iv: gcm.iv }, k, ct), "missing AAD");
  await promise_rejects_dom("OperationError", subtle.decrypt({ name: "AES-GCM", iv: gcm.iv }, k, ct.subarray(0, 8)));
}, "AES-GCM: tampered data, wrong additional data and short input fail with OperationError");

promise_test(async () => {
  const k = await gcmKey();
  await promise_rejects_js(TypeError, subtle.encrypt({ name: "AES-GCM" }, k, abc), "iv is required");
  await promise_rejects_js(TypeError, subtle.encrypt("AES-GCM", k, abc), "a string lacks iv");
  await promise_rejects_js(TypeError, subtle.encrypt({ name: "AES-GCM", iv: "nope" }, k, abc));
}, "AES-GCM: missing or mistyped params are TypeErrors");

promise_test(async () => {
  for (const length of [128, 192, 256]) {
    const k = await subtle.generateKey({ name: "aes-gcm", length }, true, ["encrypt", "decrypt"]);
    assert_deep_equals(k.algorithm, { name: "AES-GCM", length });
    assert_equals((await subtle.exportKey("raw", k)).byteLength, length / 8);
    assert_equals((await subtle.exportKey("jwk", k)).alg, `A${length}GCM`);
  }
  await promise_rejects_dom("OperationError", subtle.generateKey({ name: "AES-GCM", length: 100 }, true, ["encrypt"]));
  await promise_rejects_dom("SyntaxError", subtle.generateKey({ name: "AES-GCM", length: 128 }, true, ["sign"]));
  await promise_rejects_dom("DataError", subtle.importKey("raw", new Uint8Array(15), "AES-GCM", true, ["encrypt"]));
}, "AES-GCM: generateKey and importKey lengths");

promise_test(async () => {
  const k = await gcmKey();
  const jwk = await subtle.exportKey("jwk", k);
  assert_deep_equals(jwk, {
    kty: "oct",
    k: b64u(gcm.key),
    alg: "A128GCM",
    key_ops: ["encrypt", "decrypt"],
    ext: true,
  });
  const back = await subtle.importKey("jwk", jwk, "AES-GCM", true, ["decrypt"]);
  const ct = await subtle.encrypt({ name: "AES-GCM", iv: gcm.iv }, k, abc);
  assert_equals(hex(await subtle.decrypt({ name: "AES-GCM", iv: gcm.iv }, back, ct)), hex(abc));
  await promise_rejects_dom(
    "DataError",
    subtle.importKey("jwk", { ...jwk, alg: "A128CBC" }, "AES-GCM", true, ["decrypt"]),
  );
  await promise_rejects_dom("DataError", subtle.importKey("jwk", { ...jwk, use: "sig" }, "AES-GCM", true, ["decrypt"]));
}, "AES-GCM: jwk round trip and alg/use checks");

promise_test(async () => {
  const encOnly = await subtle.importKey("raw", gcm.key, "AES-GCM", false, ["encrypt"]);
  await promise_rejects_dom(
    "InvalidAccessError",
    subtle.decrypt({ name: "AES-GCM", iv: gcm.iv }, encOnly, new Uint8Array(32)),
  );
  await promise_rejects_dom(
    "InvalidAccessError",
    subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, encOnly, abc),
    "key for another algorithm",
  );
}, "AES-GCM: usage and algorithm mismatches are InvalidAccessError");

// ---------------------------------------------------------------------------------------------------
// AES-CBC and AES-CTR (NIST SP 800-38A)

const sp800 = {
  key: unhex("2b7e151628aed2a6abf7158809cf4f3c"),
  iv: unhex("000102030405060708090a0b0c0d0e0f"),
  p1: unhex("6bc1bee22e409f96e93d7e117393172a"),
  p2: unhex("ae2d8a571e03ac9c9eb76fac45af8e51"),
  ctr: unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"),
};

promise_test(async () => {
  const k = await subtle.importKey("raw", sp800.key, "AES-CBC", false, ["encrypt", "decrypt"]);
  const ct = new Uint8Array(await subtle.encrypt({ name: "AES-CBC", iv: sp800.iv }, k, sp800.p1));
  assert_equals(ct.length, 32, "PKCS#7 adds a full block");
  assert_equals(hex(ct.subarray(0, 16)), "7649abac8119b246cee98e9b12e9197d");
  assert_equals(hex(await subtle.decrypt({ name: "AES-CBC", iv: sp800.iv }, k, ct)), hex(sp800.p1));
}, "AES-CBC: SP 800-38A F.2.1 first block, with padding");

promise_test(async () => {
  const k = await subtle.generateKey({ name: "AES-CBC", length: 256 }, false, ["encrypt", "decrypt"]);
  for (const n of [0, 1, 15, 16, 17, 100]) {
    const pt = crypto.getRandomValues(new Uint8Array(n));
    const ct = await subtle.encrypt({ name: "AES-CBC", iv: sp800.iv }, k, pt);
    assert_equals(ct.byteLength, (Math.floor(n / 16) + 1) * 16);
    assert_equals(hex(await subtle.decrypt({ name: "AES-CBC", iv: sp800.iv }, k, ct)), hex(pt), `length ${n}`);
  }
}, "AES-CBC: round trips for lengths around the block size");

promise_test(async () => {
  const k = await subtle.importKey("raw", sp800.key, "AES-CBC", false, ["encrypt", "decrypt"]);
  await promise_rejects_dom("OperationError", subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(12) }, k, abc));
  await promise_rejects_dom("OperationError", subtle.decrypt({ name: "AES-CBC", iv: sp800.iv }, k, new Uint8Array(15)));
  await promise_rejects_js(TypeError, subtle.encrypt({ name: "AES-CBC" }, k, abc));
}, "AES-CBC: wrong iv length and unaligned ciphertext are OperationError");

promise_test(async () => {
  const k = await subtle.importKey("raw", sp800.key, "AES-CTR", false, ["encrypt", "decrypt"]);
  const pt = new Uint8Array([...sp800.p1, ...sp800.p2]);
  const ct = await subtle.encrypt({ name: "AES-CTR", counter: sp800.ctr, length: 128 }, k, pt);
  assert_equals(hex(ct), "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff");
  assert_equals(hex(await subtle.decrypt({ name: "AES-CTR", counter: sp800.ctr, length: 64 }, k, ct)), hex(pt));
}, "AES-CTR: SP 800-38A F.5.1, both ways");

promise_test(async () => {
  const k = await subtle.importKey("raw", sp800.key, "AES-CTR", false, ["encrypt"]);
  // With an 8-bit counter the block after ...ff is ...00 in the low byte only: no carry.
  const two = new Uint8Array(
    await subtle.encrypt({ name: "AES-CTR", counter: sp800.ctr, length: 8 }, k, new Uint8Array(32)),
  );
  const wrapped = sp800.ctr.slice();
  wrapped[15] = 0;
  const second = await subtle.encrypt({ name: "AES-CTR", counter: wrapped, length: 128 }, k, new Uint8Array(16));
  assert_equals(hex(two.subarray(16)), hex(second));
  await promise_rejects_dom(
    "OperationError",
    subtle.encrypt({ name: "AES-CTR", counter: sp800.ctr, length: 1 }, k, new Uint8Array(48)),
    "counter would repeat",
  );
}, "AES-CTR: only the low length bits of the counter increment");

promise_test(async () => {
  const k = await subtle.importKey("raw", sp800.key, "AES-CTR", false, ["encrypt"]);
  await promise_rejects_dom(
    "OperationError",
    subtle.encrypt({ name: "AES-CTR", counter: sp800.ctr, length: 0 }, k, abc),
  );
  await promise_rejects_dom(
    "OperationError",
    subtle.encrypt({ name: "AES-CTR", counter: sp800.ctr, length: 129 }, k, abc),
  );
  await promise_rejects_js(TypeError, subtle.encrypt({ name: "AES-CTR", counter: sp800.ctr, length: 256 }, k, abc));
  await promise_rejects_dom(
    "OperationError",
    subtle.encrypt({ name: "AES-CTR", counter: new Uint8Array(8), length: 64 }, k, abc),
  );
  await promise_rejects_js(TypeError, subtle.encrypt({ name: "AES-CTR", counter: sp800.ctr }, k, abc));
}, "AES-CTR: bad length or counter size are errors");

// ---------------------------------------------------------------------------------------------------
// AES-KW and wrapKey / unwrapKey

const kek = unhex("000102030405060708090a0b0c0d0e0f");
const kwKey = once(() => subtle.importKey("raw", kek, "AES-KW", true, ["wrapKey", "unwrapKey"]));

promise_test(async () => {
  const toWrap = await subtle.importKey("raw", unhex("00112233445566778899aabbccddeeff"), "AES-GCM", true, ["encrypt"]);
  const wrapped = await subtle.wrapKey("raw", toWrap, await kwKey(), "AES-KW");
  assert_equals(hex(wrapped), "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5");
}, "AES-KW: RFC 3394 section 4.1 vector through wrapKey");

promise_test(async () => {
  const wrapped = unhex("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5");
  const k = await subtle.unwrapKey("raw", wrapped, await kwKey(), "AES-KW", "AES-CBC", true, ["encrypt", "decrypt"]);
  assert_deep_equals(k.algorithm, { name: "AES-CBC", length: 128 });
  assert_array_equals(k.usages, ["encrypt", "decrypt"]);
  assert_equals(hex(await subtle.exportKey("raw", k)), "00112233445566778899aabbccddeeff");
  const bad = wrapped.slice();
  bad[3] ^= 1;
  await promise_rejects_dom(
    "OperationError",
    subtle.unwrapKey("raw", bad, await kwKey(), "AES-KW", "AES-CBC", true, ["encrypt"]),
  );
}, "AES-KW: unwrapKey restores the key; a corrupted blob is an OperationError");

promise_test(async () => {
  const hmac = await hmacKey("SHA-256", ["sign", "verify"], true);
  const wrapper = await gcmKey();
  await promise_rejects_dom(
    "InvalidAccessError",
    subtle.wrapKey("jwk", hmac, wrapper, { name: "AES-GCM", iv: gcm.iv }),
  );
  const w = await subtle.importKey("raw", gcm.key, "AES-GCM", false, ["wrapKey", "unwrapKey"]);
  const blob = await subtle.wrapKey("jwk", hmac, w, { name: "AES-GCM", iv: gcm.iv });
  const back = await subtle.unwrapKey(
    "jwk",
    blob,
    w,
    { name: "AES-GCM", iv: gcm.iv },
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  assert_equals(back.extractable, false);
  assert_array_equals(back.usages, ["sign"]);
  assert_equals(hex(await subtle.sign("HMAC", back, rfc4231.data1)), rfc4231.sha256_1);
}, "wrapKey/unwrapKey: jwk through AES-GCM (encrypt fallback); the wrapping key needs wrapKey");

promise_test(async () => {
  const hidden = await hmacKey("SHA-256", ["sign"], false);
  await promise_rejects_dom("InvalidAccessError", subtle.wrapKey("raw", hidden, await kwKey(), "AES-KW"));
  const pbkdf2 = await subtle.importKey("raw", utf8("pw"), "PBKDF2", false, ["deriveBits"]);
  await promise_rejects_dom("NotSupportedError", subtle.wrapKey("raw", pbkdf2, await kwKey(), "AES-KW"));
  const gcmWrap = await subtle.importKey("raw", kek, "AES-GCM", false, ["wrapKey"]);
  const aes = await subtle.generateKey({ name: "AES-GCM", length: 128 }, true, ["encrypt"]);
  await promise_rejects_dom("InvalidAccessError", subtle.wrapKey("raw", aes, gcmWrap, "AES-KW"), "name mismatch");
  const odd = await hmacKey("SHA-256", ["sign"], true, new Uint8Array(20));
  await promise_rejects_dom(
    "OperationError",
    subtle.wrapKey("raw", odd, await kwKey(), "AES-KW"),
    "20 bytes is not 64-bit aligned",
  );
}, "wrapKey: non-extractable, non-exportable, mismatched and unaligned keys fail");

promise_test(async () => {
  const k = await kwKey();
  await promise_rejects_dom("NotSupportedError", subtle.encrypt("AES-KW", k, new Uint8Array(16)));
  await promise_rejects_dom("SyntaxError", subtle.generateKey({ name: "AES-KW", length: 128 }, true, ["encrypt"]));
  const gen = await subtle.generateKey({ name: "AES-KW", length: 256 }, true, ["wrapKey"]);
  assert_equals((await subtle.exportKey("jwk", gen)).alg, "A256KW");
}, "AES-KW: no encrypt operation; wrapKey/unwrapKey usages only");

// ---------------------------------------------------------------------------------------------------
// PBKDF2 and HKDF

const pbkdf2 = (password, salt, iterations, bits, hash = "SHA-1") =>
  subtle
    .importKey("raw", utf8(password), "PBKDF2", false, ["deriveBits"])
    .then((k) => subtle.deriveBits({ name: "PBKDF2", hash, salt: utf8(salt), iterations }, k, bits));

promise_test(async () => {
  assert_equals(hex(await pbkdf2("password", "salt", 1, 160)), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
  assert_equals(hex(await pbkdf2("password", "salt", 2, 160)), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
  assert_equals(hex(await pbkdf2("password", "salt", 4096, 160)), "4b007901b765489abead49d926f721d065a429c1");
}, "PBKDF2: RFC 6070 vectors (SHA-1)");

promise_test(async () => {
  assert_equals(
    hex(await pbkdf2("passwd", "salt", 1, 512, "SHA-256")),
    "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
  );
}, "PBKDF2: RFC 7914 section 11 vector (SHA-256)");

promise_test(async () => {
  const k = await subtle.importKey("raw", utf8("password"), { name: "pbkdf2" }, false, ["deriveKey", "deriveBits"]);
  assert_equals(k.type, "secret");
  assert_equals(k.extractable, false);
  assert_deep_equals(k.algorithm, { name: "PBKDF2" });
  const params = { name: "PBKDF2", hash: "SHA-256", salt: utf8("salt"), iterations: 1000 };
  const aes = await subtle.deriveKey(params, k, { name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
  assert_deep_equals(aes.algorithm, { name: "AES-GCM", length: 256 });
  const bits = await subtle.deriveBits(params, k, 256);
  assert_equals(hex(await subtle.exportKey("raw", aes)), hex(bits), "deriveKey = deriveBits + importKey");
  const mac = await subtle.deriveKey(params, k, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
  assert_equals(mac.algorithm.length, 512);
}, "PBKDF2: deriveKey to AES-GCM and HMAC equals deriveBits then import");

promise_test(async () => {
  const imp = (format, data, extractable, usages) => subtle.importKey(format, data, "PBKDF2", extractable, usages);
  await promise_rejects_dom("SyntaxError", imp("raw", utf8("pw"), true, ["deriveBits"]), "extractable");
  await promise_rejects_dom("SyntaxError", imp("raw", utf8("pw"), false, ["sign"]));
  await promise_rejects_dom("SyntaxError", imp("raw", utf8("pw"), false, []));
  await promise_rejects_dom("NotSupportedError", imp("jwk", { kty: "oct", k: "cHc" }, false, ["deriveBits"]));
  const k = await imp("raw", utf8("pw"), false, ["deriveKey"]);
  await promise_rejects_dom("NotSupportedError", subtle.exportKey("raw", k));
  const p = { name: "PBKDF2", hash: "SHA-256", salt: utf8("s"), iterations: 1 };
  await promise_rejects_dom("InvalidAccessError", subtle.deriveBits(p, k, 128), "no deriveBits usage");
}, "PBKDF2: import restrictions, no export, usage checks");

promise_test(async () => {
  const k = await subtle.importKey("raw", utf8("pw"), "PBKDF2", false, ["deriveBits"]);
  const p = { name: "PBKDF2", hash: "SHA-256", salt: utf8("s"), iterations: 1 };
  await promise_rejects_dom("OperationError", subtle.deriveBits(p, k), "null length");
  await promise_rejects_dom("OperationError", subtle.deriveBits(p, k, 100), "not a multiple of 8");
  await promise_rejects_dom("OperationError", subtle.deriveBits({ ...p, iterations: 0 }, k, 128));
  assert_equals((await subtle.deriveBits(p, k, 0)).byteLength, 0);
  await promise_rejects_js(TypeError, subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: utf8("s") }, k, 128));
  await promise_rejects_js(TypeError, subtle.deriveBits({ ...p, iterations: -1 }, k, 128));
}, "PBKDF2: deriveBits length and iterations rules");

promise_test(async () => {
  const bits = await pbkdf2("password", "salt", 1000000, 160);
  assert_equals(bits.byteLength, 20);
}, "PBKDF2: one million iterations");

const hkdfCase1 = {
  ikm: new Uint8Array(22).fill(0x0b),
  salt: unhex("000102030405060708090a0b0c"),
  info: unhex("f0f1f2f3f4f5f6f7f8f9"),
  okm: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
};

promise_test(async () => {
  const k = await subtle.importKey("raw", hkdfCase1.ikm, "HKDF", false, ["deriveBits"]);
  const bits = await subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: hkdfCase1.salt, info: hkdfCase1.info },
    k,
    42 * 8,
  );
  assert_equals(hex(bits), hkdfCase1.okm);
}, "HKDF: RFC 5869 test case 1");

promise_test(async () => {
  const k = await subtle.importKey("raw", hkdfCase1.ikm, "HKDF", false, ["deriveBits"]);
  const bits = await subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new Uint8Array(0) },
    k,
    336,
  );
  assert_equals(hex(bits), "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}, "HKDF: RFC 5869 test case 3 (empty salt and info)");

promise_test(async () => {
  const k = await subtle.importKey("raw", hkdfCase1.ikm, "HKDF", false, ["deriveBits", "deriveKey"]);
  const p = { name: "HKDF", hash: "SHA-256", salt: hkdfCase1.salt, info: hkdfCase1.info };
  assert_equals((await subtle.deriveBits(p, k, 0)).byteLength, 0);
  await promise_rejects_dom("OperationError", subtle.deriveBits(p, k, 255 * 256 + 8), "too long");
  await promise_rejects_dom("OperationError", subtle.deriveBits(p, k, null));
  await promise_rejects_dom("OperationError", subtle.deriveBits(p, k, 12));
  await promise_rejects_js(
    TypeError,
    subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: hkdfCase1.salt }, k, 128),
  );
  const mac = await subtle.deriveKey(p, k, { name: "HMAC", hash: "SHA-1", length: 160 }, true, ["sign"]);
  assert_equals(hex(await subtle.exportKey("raw", mac)), hkdfCase1.okm.slice(0, 40));
  await promise_rejects_dom(
    "OperationError",
    subtle.deriveKey(p, k, "HKDF", false, ["deriveBits"]),
    "HKDF has no length",
  );
  const ecdsa = { name: "ECDSA", namedCurve: "P-256" };
  await promise_rejects_dom("NotSupportedError", subtle.deriveKey(p, k, ecdsa, false, ["sign"]), "no key length");
  await promise_rejects_js(TypeError, subtle.deriveKey(p, k, "ECDSA", false, ["sign"]), "import params first");
}, "HKDF: lengths, missing info, deriveKey");

// ---------------------------------------------------------------------------------------------------
// ECDSA

const ecPair = (curve) =>
  once(() => subtle.generateKey({ name: "ECDSA", namedCurve: curve }, false, ["sign", "verify"]));
const p256 = ecPair("P-256");
const p384 = ecPair("P-384");

promise_test(async () => {
  const { publicKey, privateKey } = await p256();
  assert_equals(publicKey.type, "public");
  assert_equals(privateKey.type, "private");
  assert_true(publicKey.extractable, "public keys are always extractable");
  assert_false(privateKey.extractable);
  assert_array_equals(publicKey.usages, ["verify"]);
  assert_array_equals(privateKey.usages, ["sign"]);
  assert_deep_equals(publicKey.algorithm, { name: "ECDSA", namedCurve: "P-256" });
}, "ECDSA: generateKey returns a CryptoKeyPair with split usages");

promise_test(async () => {
  for (const [pair, hash, size] of [
    [p256, "SHA-256", 64],
    [p384, "SHA-384", 96],
  ]) {
    const { publicKey, privateKey } = await pair();
    const sig = await subtle.sign({ name: "ECDSA", hash }, privateKey, abc);
    assert_equals(sig.byteLength, size, "IEEE P1363 r||s");
    assert_true(await subtle.verify({ name: "ECDSA", hash }, publicKey, sig, abc));
    assert_false(await subtle.verify({ name: "ECDSA", hash }, publicKey, sig, utf8("abd")));
    assert_false(await subtle.verify({ name: "ECDSA", hash }, publicKey, new Uint8Array(size - 1), abc));
  }
}, "ECDSA: P-256 and P-384 sign/verify with P1363 signatures");

promise_test(async () => {
  // RFC 6979 A.2.5: P-256, SHA-256, message "sample".
  const x = "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6";
  const y = "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";
  const pub = await subtle.importKey("raw", unhex(`04${x}${y}`), { name: "ECDSA", namedCurve: "P-256" }, true, [
    "verify",
  ]);
  const sig = unhex(
    "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
  );
  assert_true(await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pub, sig, utf8("sample")));
  const d = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
  const priv = await subtle.importKey(
    "jwk",
    { kty: "EC", crv: "P-256", x: b64u(unhex(x)), y: b64u(unhex(y)), d: b64u(unhex(d)) },
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign"],
  );
  const mine = await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, priv, utf8("sample"));
  assert_true(await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pub, mine, utf8("sample")));
}, "ECDSA: RFC 6979 A.2.5 signature verifies; its JWK private key signs");

promise_test(async () => {
  const { publicKey } = await p256();
  const raw = new Uint8Array(await subtle.exportKey("raw", publicKey));
  assert_equals(raw.length, 65);
  assert_equals(raw[0], 4);
  const spki = await subtle.exportKey("spki", publicKey);
  const jwk = await subtle.exportKey("jwk", publicKey);
  assert_equals(jwk.kty, "EC");
  assert_equals(jwk.crv, "P-256");
  assert_equals(jwk.d, undefined);
  assert_equals(jwk.x, b64u(raw.subarray(1, 33)));
  const alg = { name: "ECDSA", namedCurve: "P-256" };
  for (const [format, data] of [
    ["raw", raw],
    ["spki", spki],
    ["jwk", jwk],
  ]) {
    const k = await subtle.importKey(format, data, alg, true, ["verify"]);
    assert_equals(hex(await subtle.exportKey("raw", k)), hex(raw), format);
  }
  const compressed = new Uint8Array([2 + (raw[64] & 1), ...raw.subarray(1, 33)]);
  const fromCompressed = await subtle.importKey("raw", compressed, alg, true, ["verify"]);
  assert_equals(hex(await subtle.exportKey("raw", fromCompressed)), hex(raw), "compressed point");
}, "ECDSA: public key raw/spki/jwk round trips, compressed points");

promise_test(async () => {
  const { publicKey, privateKey } = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, [
    "sign",
    "verify",
  ]);
  const pkcs8 = await subtle.exportKey("pkcs8", privateKey);
  const jwk = await subtle.exportKey("jwk", privateKey);
  assert_equals(typeof jwk.d, "string");
  assert_array_equals(jwk.key_ops, ["sign"]);
  const alg = { name: "ECDSA", namedCurve: "P-384" };
  for (const [format, data] of [
    ["pkcs8", pkcs8],
    ["jwk", jwk],
  ]) {
    const k = await subtle.importKey(format, data, alg, false, ["sign"]);
    const sig = await subtle.sign({ name: "ECDSA", hash: "SHA-384" }, k, abc);
    assert_true(await subtle.verify({ name: "ECDSA", hash: "SHA-384" }, publicKey, sig, abc), format);
  }
  await promise_rejects_dom("InvalidAccessError", subtle.exportKey("raw", privateKey));
  await promise_rejects_dom("InvalidAccessError", subtle.exportKey("pkcs8", publicKey));
  await promise_rejects_dom("InvalidAccessError", subtle.exportKey("spki", privateKey));
}, "ECDSA: private key pkcs8/jwk round trips; formats must match the key type");

promise_test(async () => {
  const { publicKey } = await p256();
  const spki = await subtle.exportKey("spki", publicKey);
  await promise_rejects_dom(
    "DataError",
    subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-384" }, true, ["verify"]),
  );
  await promise_rejects_dom(
    "DataError",
    subtle.importKey("raw", new Uint8Array(64), { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]),
  );
  await promise_rejects_dom(
    "DataError",
    subtle.importKey("spki", new Uint8Array(10), { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]),
  );
  const jwk = await subtle.exportKey("jwk", publicKey);
  await promise_rejects_dom(
    "DataError",
    subtle.importKey("jwk", { ...jwk, crv: "P-384" }, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]),
  );
  await promise_rejects_dom(
    "DataError",
    subtle.importKey("jwk", { ...jwk, alg: "ES384" }, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]),
  );
  await promise_rejects_dom(
    "SyntaxError",
    subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]),
  );
}, "ECDSA: mismatched curves and malformed data are DataError; private usages on a public key SyntaxError");

promise_test(async () => {
  await promise_rejects_dom(
    "NotSupportedError",
    subtle.generateKey({ name: "ECDSA", namedCurve: "P-192" }, true, ["sign"]),
  );
  await promise_rejects_dom(
    "SyntaxError",
    subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["encrypt"]),
  );
  await promise_rejects_dom(
    "SyntaxError",
    subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]),
  );
  await promise_rejects_js(TypeError, subtle.generateKey({ name: "ECDSA" }, true, ["sign"]));
  const { privateKey, publicKey } = await p256();
  await promise_rejects_js(TypeError, subtle.sign("ECDSA", privateKey, abc), "hash is required");
  await promise_rejects_dom("InvalidAccessError", subtle.sign({ name: "ECDSA", hash: "SHA-256" }, publicKey, abc));
}, "ECDSA: unknown curve, bad usages, missing hash, signing with the public key");

promise_test(async () => {
  const { publicKey, privateKey } = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-521" }, false, [
    "sign",
    "verify",
  ]);
  const sig = await subtle.sign({ name: "ECDSA", hash: "SHA-512" }, privateKey, abc);
  assert_equals(sig.byteLength, 132);
  assert_true(await subtle.verify({ name: "ECDSA", hash: "SHA-512" }, publicKey, sig, abc));
}, "ECDSA: P-521");

// ---------------------------------------------------------------------------------------------------
// ECDH and X25519

const ecdhPair = (curve = "P-256") =>
  subtle.generateKey({ name: "ECDH", namedCurve: curve }, true, ["deriveBits", "deriveKey"]);

promise_test(async () => {
  const a = await ecdhPair();
  const b = await ecdhPair();
  assert_array_equals(a.publicKey.usages, []);
  assert_array_equals(a.privateKey.usages, ["deriveKey", "deriveBits"]);
  const ab = await subtle.deriveBits({ name: "ECDH", public: b.publicKey }, a.privateKey, 256);
  const ba = await subtle.deriveBits({ name: "ECDH", public: a.publicKey }, b.privateKey, 256);
  assert_equals(hex(ab), hex(ba));
  const full = await subtle.deriveBits({ name: "ECDH", public: b.publicKey }, a.privateKey, null);
  assert_equals(hex(full), hex(ab), "null length is the whole secret");
  const short = await subtle.deriveBits({ name: "ECDH", public: b.publicKey }, a.privateKey, 100);
  assert_equals(short.byteLength, 13);
  assert_equals(new Uint8Array(short)[12] & 0x0f, 0, "bits past the length are zero");
  await promise_rejects_dom(
    "OperationError",
    subtle.deriveBits({ name: "ECDH", public: b.publicKey }, a.privateKey, 264),
  );
}, "ECDH: both sides derive the same bits; length truncates");

promise_test(async () => {
  const a = await ecdhPair();
  const b = await ecdhPair();
  const aes = { name: "AES-GCM", length: 128 };
  const ka = await subtle.deriveKey({ name: "ECDH", public: b.publicKey }, a.privateKey, aes, false, ["encrypt"]);
  const kb = await subtle.deriveKey({ name: "ECDH", public: a.publicKey }, b.privateKey, aes, false, ["decrypt"]);
  const ct = await subtle.encrypt({ name: "AES-GCM", iv: gcm.iv }, ka, abc);
  assert_equals(hex(await subtle.decrypt({ name: "AES-GCM", iv: gcm.iv }, kb, ct)), hex(abc));
  const hk = await subtle.deriveKey({ name: "ECDH", public: b.publicKey }, a.privateKey, "HKDF", false, ["deriveBits"]);
  assert_deep_equals(hk.algorithm, { name: "HKDF" });
}, "ECDH: deriveKey to AES-GCM on both sides, and to HKDF");

promise_test(async () => {
  const a = await ecdhPair();
  const b384 = await ecdhPair("P-384");
  const ecdsa = await p256();
  await promise_rejects_dom(
    "InvalidAccessError",
    subtle.deriveBits({ name: "ECDH", public: a.privateKey }, a.privateKey, 128),
    "private as public",
  );
  await promise_rejects_dom(
    "InvalidAccessError",
    subtle.deriveBits({ name: "ECDH", public: b384.publicKey }, a.privateKey, 128),
    "other curve",
  );
  await promise_rejects_dom(
    "InvalidAccessError",
    subtle.deriveBits({ name: "ECDH", public: ecdsa.publicKey }, a.privateKey, 128),
    "ECDSA key",
  );
  await promise_rejects_dom(
    "InvalidAccessError",
    subtle.deriveBits({ name: "ECDH", public: a.publicKey }, a.publicKey, 128),
    "public base key",
  );
  await promise_rejects_js(TypeError, subtle.deriveBits({ name: "ECDH", public: {} }, a.privateKey, 128));
  await promise_rejects_js(TypeError, subtle.deriveBits({ name: "ECDH" }, a.privateKey, 128));
}, "ECDH: the public member must be a public ECDH key on the same curve");

promise_test(async () => {
  const a = await ecdhPair();
  const raw = await subtle.exportKey("raw", a.publicKey);
  await promise_rejects_dom(
    "SyntaxError",
    subtle.importKey("raw", raw, { name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]),
  );
  const pub = await subtle.importKey("raw", raw, { name: "ECDH", namedCurve: "P-256" }, true, []);
  assert_equals(pub.type, "public");
  const jwk = await subtle.exportKey("jwk", a.privateKey);
  const priv = await subtle.importKey("jwk", jwk, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  const b = await ecdhPair();
  const one = await subtle.deriveBits({ name: "ECDH", public: b.publicKey }, priv, 256);
  const two = await subtle.deriveBits({ name: "ECDH", public: pub }, b.privateKey, 256);
  assert_equals(hex(one), hex(two));
}, "ECDH: public keys take no usages; imported keys agree");

promise_test(async () => {
  // RFC 7748 section 6.1
  const alicePriv = unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const bobPub = unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  const pkcs8 = new Uint8Array([...unhex("302e020100300506032b656e04220420"), ...alicePriv]);
  const priv = await subtle.importKey("pkcs8", pkcs8, "X25519", false, ["deriveBits"]);
  const pub = await subtle.importKey("raw", bobPub, "X25519", true, []);
  const shared = await subtle.deriveBits({ name: "X25519", public: pub }, priv, 256);
  assert_equals(hex(shared), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}, "X25519: RFC 7748 section 6.1 shared secret");

promise_test(async () => {
  const a = await subtle.generateKey("X25519", true, ["deriveBits"]);
  const b = await subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]);
  const ab = await subtle.deriveBits({ name: "X25519", public: b.publicKey }, a.privateKey, 256);
  const ba = await subtle.deriveBits({ name: "X25519", public: a.publicKey }, b.privateKey, 256);
  assert_equals(hex(ab), hex(ba));
  const jwk = await subtle.exportKey("jwk", a.publicKey);
  assert_equals(jwk.kty, "OKP");
  assert_equals(jwk.crv, "X25519");
  const zero = await subtle.importKey("raw", new Uint8Array(32), "X25519", true, []);
  await promise_rejects_dom("OperationError", subtle.deriveBits({ name: "X25519", public: zero }, a.privateKey, 256));
}, "X25519: generated pairs agree; a low-order public key is an OperationError");

// ---------------------------------------------------------------------------------------------------
// Ed25519

const rfc8032 = {
  secret: unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"),
  public: unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
  sig: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
};

promise_test(async () => {
  const pkcs8 = new Uint8Array([...unhex("302e020100300506032b657004220420"), ...rfc8032.secret]);
  const priv = await subtle.importKey("pkcs8", pkcs8, "Ed25519", true, ["sign"]);
  const sig = await subtle.sign("Ed25519", priv, new Uint8Array(0));
  assert_equals(hex(sig), rfc8032.sig);
  const pub = await subtle.importKey("raw", rfc8032.public, "Ed25519", true, ["verify"]);
  assert_true(await subtle.verify("Ed25519", pub, sig, new Uint8Array(0)));
  assert_false(await subtle.verify("Ed25519", pub, sig, new Uint8Array(1)));
  const jwk = await subtle.exportKey("jwk", priv);
  assert_equals(jwk.x, b64u(rfc8032.public), "public half derived from the seed");
  assert_equals(jwk.d, b64u(rfc8032.secret));
}, "Ed25519: RFC 8032 section 7.1 test 1");

promise_test(async () => {
  const { publicKey, privateKey } = await subtle.generateKey("Ed25519", true, ["sign", "verify"]);
  assert_deep_equals(publicKey.algorithm, { name: "Ed25519" });
  const sig = await subtle.sign({ name: "ed25519" }, privateKey, abc);
  assert_equals(sig.byteLength, 64);
  assert_true(await subtle.verify("Ed25519", publicKey, sig, abc));
  assert_false(await subtle.verify("Ed25519", publicKey, sig.slice(0, 63), abc));
  const jwk = await subtle.exportKey("jwk", privateKey);
  const again = await subtle.importKey("jwk", jwk, "Ed25519", false, ["sign"]);
  assert_equals(hex(await subtle.sign("Ed25519", again, abc)), hex(sig), "deterministic");
  const spki = await subtle.exportKey("spki", publicKey);
  const pub2 = await subtle.importKey("spki", spki, "Ed25519", true, ["verify"]);
  assert_equals((await subtle.exportKey("raw", pub2)).byteLength, 32);
}, "Ed25519: generate, sign, verify, jwk/spki/raw round trips");

promise_test(async () => {
  await promise_rejects_dom("DataError", subtle.importKey("raw", new Uint8Array(31), "Ed25519", true, ["verify"]));
  const jwk = { kty: "OKP", crv: "X25519", x: b64u(rfc8032.public) };
  await promise_rejects_dom("DataError", subtle.importKey("jwk", jwk, "Ed25519", true, ["verify"]));
  await promise_rejects_dom(
    "DataError",
    subtle.importKey("jwk", { ...jwk, crv: "Ed25519", alg: "ES256" }, "Ed25519", true, ["verify"]),
  );
  const bad = { kty: "OKP", crv: "Ed25519", x: b64u(rfc8032.public), d: b64u(new Uint8Array(32)) };
  await promise_rejects_dom("DataError", subtle.importKey("jwk", bad, "Ed25519", true, ["sign"]), "x does not match d");
  await promise_rejects_dom("SyntaxError", subtle.generateKey("Ed25519", true, ["deriveBits"]));
}, "Ed25519: import errors");

// ---------------------------------------------------------------------------------------------------
// RSA

const F4 = new Uint8Array([1, 0, 1]);
const rsaPair = (name, modulusLength = 1024, hash = "SHA-256", usages = ["sign", "verify"]) =>
  once(() => subtle.generateKey({ name, modulusLength, publicExponent: F4, hash }, true, usages));
const pkcs1 = rsaPair("RSASSA-PKCS1-v1_5", 2048);
const pss = rsaPair("RSA-PSS");
const oaep = rsaPair("RSA-OAEP", 1024, "SHA-256", ["encrypt", "decrypt", "wrapKey", "unwrapKey"]);

promise_test(async () => {
  const { publicKey, privateKey } = await pkcs1();
  assert_equals(publicKey.algorithm.name, "RSASSA-PKCS1-v1_5");
  assert_equals(publicKey.algorithm.modulusLength, 2048);
  assert_true(publicKey.algorithm.publicExponent instanceof Uint8Array);
  assert_array_equals(publicKey.algorithm.publicExponent, [1, 0, 1]);
  assert_deep_equals(privateKey.algorithm.hash, { name: "SHA-256" });
  const sig = await subtle.sign("RSASSA-PKCS1-v1_5", privateKey, abc);
  assert_equals(sig.byteLength, 256);
  assert_equals(hex(await subtle.sign("RSASSA-PKCS1-v1_5", privateKey, abc)), hex(sig), "deterministic");
  assert_true(await subtle.verify("RSASSA-PKCS1-v1_5", publicKey, sig, abc));
  assert_false(await subtle.verify("RSASSA-PKCS1-v1_5", publicKey, sig, utf8("abd")));
}, "RSASSA-PKCS1-v1_5: generate 2048-bit, sign, verify");

promise_test(async () => {
  const { publicKey, privateKey } = await pss();
  const sig = await subtle.sign({ name: "RSA-PSS", saltLength: 32 }, privateKey, abc);
  assert_true(await subtle.verify({ name: "RSA-PSS", saltLength: 32 }, publicKey, sig, abc));
  assert_false(await subtle.verify({ name: "RSA-PSS", saltLength: 20 }, publicKey, sig, abc), "wrong salt length");
  const zero = await subtle.sign({ name: "RSA-PSS", saltLength: 0 }, privateKey, abc);
  assert_equals(
    hex(await subtle.sign({ name: "RSA-PSS", saltLength: 0 }, privateKey, abc)),
    hex(zero),
    "saltLength 0 is deterministic",
  );
  await promise_rejects_js(TypeError, subtle.sign("RSA-PSS", privateKey, abc), "saltLength is required");
  await promise_rejects_dom("OperationError", subtle.sign({ name: "RSA-PSS", saltLength: 1000 }, privateKey, abc));
}, "RSA-PSS: sign/verify with salt lengths");

promise_test(async () => {
  const { publicKey, privateKey } = await oaep();
  const label = utf8("label");
  const ct = await subtle.encrypt({ name: "RSA-OAEP", label }, publicKey, abc);
  assert_equals(ct.byteLength, 128);
  assert_equals(hex(await subtle.decrypt({ name: "RSA-OAEP", label }, privateKey, ct)), hex(abc));
  await promise_rejects_dom(
    "OperationError",
    subtle.decrypt({ name: "RSA-OAEP", label: utf8("other") }, privateKey, ct),
  );
  const ct2 = await subtle.encrypt("RSA-OAEP", publicKey, abc);
  assert_equals(hex(await subtle.decrypt("RSA-OAEP", privateKey, ct2)), hex(abc));
  await promise_rejects_dom("OperationError", subtle.encrypt("RSA-OAEP", publicKey, new Uint8Array(100)), "too long");
  await promise_rejects_dom("InvalidAccessError", subtle.encrypt("RSA-OAEP", privateKey, abc));
}, "RSA-OAEP: encrypt/decrypt with and without a label");

promise_test(async () => {
  const { publicKey, privateKey } = await oaep();
  const aes = await subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
  const wrapped = await subtle.wrapKey("raw", aes, publicKey, "RSA-OAEP");
  const back = await subtle.unwrapKey("raw", wrapped, privateKey, "RSA-OAEP", "AES-GCM", true, ["decrypt"]);
  assert_equals(hex(await subtle.exportKey("raw", back)), hex(await subtle.exportKey("raw", aes)));
}, "RSA-OAEP: wrapKey/unwrapKey an AES key");

promise_test(async () => {
  for (const [pair, name, alg] of [
    [pkcs1, "RSASSA-PKCS1-v1_5", "RS256"],
    [pss, "RSA-PSS", "PS256"],
    [oaep, "RSA-OAEP", "RSA-OAEP-256"],
  ]) {
    const { publicKey, privateKey } = await pair();
    const spki = await subtle.exportKey("spki", publicKey);
    const pkcs8 = await subtle.exportKey("pkcs8", privateKey);
    const jwkPub = await subtle.exportKey("jwk", publicKey);
    const jwkPriv = await subtle.exportKey("jwk", privateKey);
    assert_equals(jwkPub.alg, alg, name);
    assert_equals(jwkPub.kty, "RSA");
    assert_equals(jwkPub.e, "AQAB");
    for (const m of ["n", "e", "d", "p", "q", "dp", "dq", "qi"]) assert_equals(typeof jwkPriv[m], "string", m);
    const params = { name, hash: "SHA-256" };
    const pubUsage = name === "RSA-OAEP" ? ["encrypt"] : ["verify"];
    const privUsage = name === "RSA-OAEP" ? ["decrypt"] : ["sign"];
    const p1 = await subtle.importKey("spki", spki, params, true, pubUsage);
    const p2 = await subtle.importKey("jwk", jwkPub, params, true, pubUsage);
    const s1 = await subtle.importKey("pkcs8", pkcs8, params, true, privUsage);
    const s2 = await subtle.importKey("jwk", jwkPriv, params, true, privUsage);
    assert_equals(hex(await subtle.exportKey("spki", p2)), hex(spki), `${name} jwk → spki`);
    assert_equals(hex(await subtle.exportKey("pkcs8", s2)), hex(pkcs8), `${name} jwk → pkcs8`);
    assert_equals(p1.algorithm.modulusLength, publicKey.algorithm.modulusLength);
    assert_equals(s1.type, "private");
  }
}, "RSA: spki/pkcs8/jwk round trips for all three algorithms, with the JWK alg per hash");

promise_test(async () => {
  const { publicKey } = await pkcs1();
  const jwk = await subtle.exportKey("jwk", publicKey);
  const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  await promise_rejects_dom("DataError", subtle.importKey("jwk", { ...jwk, alg: "RS384" }, alg, true, ["verify"]));
  await promise_rejects_dom("DataError", subtle.importKey("jwk", { ...jwk, alg: "PS256" }, alg, true, ["verify"]));
  await promise_rejects_dom("DataError", subtle.importKey("jwk", { ...jwk, kty: "EC" }, alg, true, ["verify"]));
  await promise_rejects_dom("NotSupportedError", subtle.importKey("raw", new Uint8Array(10), alg, true, ["verify"]));
  await promise_rejects_dom("NotSupportedError", subtle.exportKey("raw", publicKey));
  await promise_rejects_dom("SyntaxError", subtle.importKey("jwk", jwk, alg, true, ["sign"]));
  const ecSpki = await subtle.exportKey("spki", (await p256()).publicKey);
  await promise_rejects_dom("DataError", subtle.importKey("spki", ecSpki, alg, true, ["verify"]), "an EC key");
}, "RSA: import errors (alg mismatch, kty, raw, usages, foreign key type)");

promise_test(async () => {
  const k = await subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 8192, publicExponent: F4, hash: "SHA-256" },
    false,
    ["sign"],
  );
  assert_equals(k.privateKey.algorithm.modulusLength, 8192);
}, "RSA: generateKey 8192-bit");

promise_test(async () => {
  const alg = (publicExponent) => ({ name: "RSA-PSS", modulusLength: 1024, publicExponent, hash: "SHA-256" });
  await promise_rejects_js(TypeError, subtle.generateKey(alg([1, 0, 1]), true, ["sign"]), "not a Uint8Array");
  await promise_rejects_js(
    TypeError,
    subtle.generateKey({ name: "RSA-PSS", publicExponent: F4, hash: "SHA-256" }, true, ["sign"]),
  );
  await promise_rejects_dom("OperationError", subtle.generateKey(alg(new Uint8Array([2])), true, ["sign"]));
  await promise_rejects_dom("SyntaxError", subtle.generateKey(alg(F4), true, ["encrypt"]));
}, "RSA: generateKey parameter errors");

// ---------------------------------------------------------------------------------------------------
// Keys and arguments in general

promise_test(async () => {
  const k = await hmacKey("SHA-256", ["verify", "sign", "verify"]);
  assert_array_equals(k.usages, ["sign", "verify"]);
  await promise_rejects_js(TypeError, hmacKey("SHA-256", ["sign", "nope"]));
  await promise_rejects_js(TypeError, hmacKey("SHA-256", "sign"));
  await promise_rejects_js(TypeError, subtle.importKey("raw", rfc4231.key1, { name: "HMAC", hash: "SHA-256" }, true));
}, "keyUsages: a sequence of KeyUsage, deduplicated and ordered");

promise_test(async () => {
  const alg = { name: "HMAC", hash: "SHA-256" };
  await promise_rejects_js(TypeError, subtle.importKey("foo", rfc4231.key1, alg, true, ["sign"]));
  await promise_rejects_js(TypeError, subtle.importKey("jwk", rfc4231.key1, alg, true, ["sign"]));
  await promise_rejects_js(TypeError, subtle.importKey("raw", { kty: "oct" }, alg, true, ["sign"]));
  await promise_rejects_js(TypeError, subtle.importKey("raw", 42, alg, true, ["sign"]));
  const k = await hmacKey("SHA-256");
  await promise_rejects_js(TypeError, subtle.exportKey("pem", k));
}, "importKey/exportKey: the format must be a KeyFormat matching keyData's type");

promise_test(async () => {
  const k = await subtle.importKey("raw", rfc4231.key1, { name: "HMAC", hash: "SHA-256" }, 1, ["sign"]);
  assert_equals(k.extractable, true);
  const k2 = await subtle.importKey("raw", rfc4231.key1, { name: "HMAC", hash: "SHA-256" }, "", ["sign"]);
  assert_equals(k2.extractable, false);
}, "extractable is converted with ToBoolean");

promise_test(async () => {
  await promise_rejects_dom("NotSupportedError", subtle.generateKey({ name: "DES" }, true, ["encrypt"]));
  await promise_rejects_dom("NotSupportedError", subtle.generateKey("PBKDF2", false, ["deriveBits"]));
  await promise_rejects_dom("NotSupportedError", subtle.sign("AES-GCM", await gcmKey(), abc));
  await promise_rejects_dom("NotSupportedError", subtle.encrypt("HMAC", await hmacKey("SHA-256"), abc));
  await promise_rejects_dom(
    "NotSupportedError",
    subtle.importKey("raw", new Uint8Array(16), "SHA-256", true, ["sign"]),
  );
}, "operations an algorithm does not support are NotSupportedError");

promise_test(async () => {
  try {
    await subtle.digest("MD5", abc);
  } catch (err) {
    assert_equals(err.name, "NotSupportedError");
    assert_true(err instanceof Error);
    if (typeof DOMException === "function") assert_true(err instanceof DOMException, "a DOMException");
    return;
  }
  assert_unreached("digest MD5 resolved");
}, "errors are DOMExceptions");

promise_test(async () => {
  const keep = await hmacKey("SHA-256");
  // Enough garbage keys to trigger several sweeps of the handle table.
  for (let i = 0; i < 1500; i++) await hmacKey("SHA-256", ["sign"], false);
  assert_equals(hex(await subtle.sign("HMAC", keep, rfc4231.data1)), rfc4231.sha256_1);
}, "a live key keeps working while garbage keys are released");

promise_test(async () => {
  const k = await hmacKey("SHA-256", ["verify"]);
  k.algorithm.name = "AES-GCM";
  k.algorithm.hash.name = "SHA-1";
  k.usages.push("sign");
  await promise_rejects_dom("InvalidAccessError", subtle.sign("HMAC", k, abc), "usages are the key's, not the array's");
  assert_true(await subtle.verify("HMAC", k, unhex(rfc4231.sha256_1), rfc4231.data1), "still HMAC-SHA-256");
}, "mutating a key's algorithm or usages objects changes nothing");

promise_test(async () => {
  const pair = await p256();
  assert_equals(Object.getPrototypeOf(pair), Object.prototype);
  assert_array_equals(Object.keys(pair), ["privateKey", "publicKey"]);
  const jwk = await subtle.exportKey("jwk", await hmacKey("SHA-256"));
  assert_equals(Object.getPrototypeOf(jwk), Object.prototype);
  assert_true(isAB(await subtle.exportKey("raw", await hmacKey("SHA-256"))));
}, "CryptoKeyPair and JsonWebKey results are plain objects; raw exports ArrayBuffers");

promise_test(async () => {
  const { publicKey } = await p256();
  const spki = await subtle.exportKey("spki", publicKey);
  const hidden = await subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  assert_false(hidden.extractable);
  await promise_rejects_dom("InvalidAccessError", subtle.exportKey("spki", hidden));
}, "importKey keeps extractable false even for a public key");

promise_test(async () => {
  const k = await subtle.importKey("raw", hkdfCase1.ikm, "HKDF", false, ["deriveBits"]);
  const p = { name: "HKDF", hash: "SHA-256", salt: hkdfCase1.salt, info: hkdfCase1.info };
  assert_equals(hex(await subtle.deriveBits(p, k, "128")), hkdfCase1.okm.slice(0, 32), "length as a string");
  await promise_rejects_dom(
    "InvalidAccessError",
    subtle.deriveKey(p, k, "HKDF", false, ["deriveBits"]),
    "no deriveKey usage",
  );
}, "deriveBits converts length with ToNumber; deriveKey needs the deriveKey usage");

promise_test(async () => {
  const a = await ecdhPair();
  const b = await ecdhPair();
  assert_equals((await subtle.deriveBits({ name: "ECDH", public: b.publicKey }, a.privateKey, 0)).byteLength, 0);
  const bitsOnly = await subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
  await promise_rejects_dom(
    "InvalidAccessError",
    subtle.deriveKey({ name: "ECDH", public: b.publicKey }, bitsOnly.privateKey, "HKDF", false, ["deriveBits"]),
  );
}, "ECDH: zero length gives no bits; deriveKey needs the deriveKey usage");

promise_test(async () => {
  const k = await subtle.importKey("raw", gcm.key, "AES-GCM", false, ["encrypt", "unwrapKey"]);
  const iv = gcm.iv;
  const notJson = await subtle.encrypt({ name: "AES-GCM", iv }, k, utf8("not json"));
  await promise_rejects_dom(
    "DataError",
    subtle.unwrapKey("jwk", notJson, k, { name: "AES-GCM", iv }, "AES-GCM", true, ["encrypt"]),
  );
  const noKty = await subtle.encrypt({ name: "AES-GCM", iv }, k, utf8('{"k":"AAAAAAAAAAAAAAAAAAAAAA"}'));
  await promise_rejects_dom(
    "DataError",
    subtle.unwrapKey("jwk", noKty, k, { name: "AES-GCM", iv }, "AES-GCM", true, ["encrypt"]),
  );
}, "unwrapKey: a jwk that is not JSON or has no kty is a DataError");

promise_test(async () => {
  for (const [name, params] of [
    ["AES-CBC", { name: "AES-CBC", iv: sp800.iv }],
    ["AES-CTR", { name: "AES-CTR", counter: sp800.ctr, length: 64 }],
  ]) {
    const w = await subtle.generateKey({ name, length: 128 }, false, ["wrapKey", "unwrapKey"]);
    const target = await subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
    const blob = await subtle.wrapKey("raw", target, w, params);
    const back = await subtle.unwrapKey("raw", blob, w, params, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
    assert_equals(hex(await subtle.exportKey("raw", back)), hex(await subtle.exportKey("raw", target)), name);
  }
}, "wrapKey/unwrapKey through AES-CBC and AES-CTR");

promise_test(async () => {
  const { publicKey, privateKey } = await p256();
  const sig = await subtle.sign({ name: "ECDSA", hash: "SHA-1" }, privateKey, abc);
  assert_true(await subtle.verify({ name: "ECDSA", hash: "SHA-1" }, publicKey, sig, abc));
  assert_false(
    await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, publicKey, sig, abc),
    "the hash is part of the signature",
  );
}, "ECDSA: the hash comes from the params, not the key");

promise_test(async () => {
  const k = await subtle.generateKey({ name: "AES-CTR", length: 192 }, false, ["encrypt"]);
  assert_false(k.extractable);
  await promise_rejects_dom("InvalidAccessError", subtle.exportKey("raw", k));
  const k2 = await subtle.importKey("raw", new Uint8Array(24), { name: "AES-CTR" }, true, ["decrypt"]);
  assert_deep_equals(k2.algorithm, { name: "AES-CTR", length: 192 });
  assert_equals((await subtle.exportKey("jwk", k2)).alg, "A192CTR");
}, "AES-CTR: 192-bit keys, extractability");

test(() => {
  const d = Object.getOwnPropertyDescriptor(CryptoKey.prototype, "algorithm");
  assert_equals(typeof d.get, "function");
  assert_equals(d.set, undefined);
  assert_false("handle" in CryptoKey.prototype);
}, "CryptoKey exposes only its four readonly attributes");
