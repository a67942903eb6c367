// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://w3c.github.io/webcrypto/#crypto-interface — Crypto: getRandomValues, randomUUID and the
 * SubtleCrypto instance. One `crypto` per isolate, made in `__nano_init` (it needs the host bridge).
 */
import {
  ArrayBufferIsView,
  Array as ArrayCtor,
  NumberPrototypeToString,
  String as StringCtor,
  StringPrototypePadStart,
  SymbolCreate,
  safeSetOf,
  TypedArrayPrototypeFill,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetLength,
  TypedArrayPrototypeSet,
  TypeError,
  Uint8Array,
} from "../primordials.js";
import { KeyFactory } from "./crypto-key.js";
import { createSubtle, type SubtleCrypto } from "./subtle.js";
import {
  bufferSourceParts,
  callHost,
  domException,
  type HostCrypto,
  illegalConstructor,
  requireArgs,
  typedArrayName,
  webidlInterface,
} from "./util.js";

const TOKEN = SymbolCreate("Crypto");
const INTEGER_ARRAYS = safeSetOf([
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "BigInt64Array",
  "BigUint64Array",
]);
const MAX_RANDOM_BYTES = 65536;
const POOL_SIZE = 4096;
const POOLED_MAX = 256;
const HEX: string[] = new ArrayCtor(256);
for (let i = 0; i < 256; i++) HEX[i] = StringPrototypePadStart(NumberPrototypeToString(i, 16), 2, "0");

/**
 * Random bytes from the host, fetched 4 KiB at a time for small requests (one host call serves
 * hundreds of randomUUID calls). Each byte is handed out once. The pool starts empty in every isolate
 * — it is created by `__nano_init`, never in the snapshot, so isolates never share random bytes.
 */
class RandomSource {
  #call: HostCrypto;
  #pool = new Uint8Array(0);
  #pos = 0;

  constructor(call: HostCrypto) {
    this.#call = call;
  }

  take(n: number): Uint8Array {
    if (n > POOLED_MAX) return new Uint8Array(callHost(this.#call, "random", StringCtor(n)) as ArrayBuffer);
    if (this.#pos + n > TypedArrayPrototypeGetLength(this.#pool)) {
      this.#pool = new Uint8Array(callHost(this.#call, "random", StringCtor(POOL_SIZE)) as ArrayBuffer);
      this.#pos = 0;
    }
    const out = new Uint8Array(n);
    TypedArrayPrototypeSet(out, new Uint8Array(TypedArrayPrototypeGetBuffer(this.#pool), this.#pos, n));
    TypedArrayPrototypeFill(this.#pool, 0, this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
}

let stateOf: (self: unknown) => { random: RandomSource; subtle: SubtleCrypto };

export class Crypto {
  #random: RandomSource;
  #subtle: SubtleCrypto;

  constructor(...args: unknown[]) {
    if (args[0] !== TOKEN) illegalConstructor();
    this.#random = args[1] as RandomSource;
    this.#subtle = args[2] as SubtleCrypto;
  }

  static {
    stateOf = (self) => {
      if (typeof self !== "object" || self === null || !(#random in self))
        throw new TypeError("Illegal invocation: not a Crypto");
      const c = self as Crypto;
      return { random: c.#random, subtle: c.#subtle };
    };
  }

  /** [SameObject] */
  get subtle(): SubtleCrypto {
    return stateOf(this).subtle;
  }

  /** https://w3c.github.io/webcrypto/#Crypto-method-getRandomValues */
  getRandomValues<T extends ArrayBufferView>(array: T): T {
    const { random } = stateOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "Crypto.getRandomValues");
    if (!ArrayBufferIsView(array)) throw new TypeError("getRandomValues: argument is not an ArrayBufferView");
    if (!INTEGER_ARRAYS.has(typedArrayName(array) ?? ""))
      throw domException("getRandomValues: the array is not an integer array", "TypeMismatchError");
    const parts = bufferSourceParts(array, "getRandomValues: array");
    const buffer = parts[0];
    const offset = parts[1];
    const length = parts[2];
    if (length > MAX_RANDOM_BYTES)
      throw domException(
        `getRandomValues: ${length} bytes requested, at most ${MAX_RANDOM_BYTES}`,
        "QuotaExceededError",
      );
    if (length > 0) TypedArrayPrototypeSet(new Uint8Array(buffer, offset, length), random.take(length));
    return array;
  }

  /** https://w3c.github.io/webcrypto/#Crypto-method-randomUUID — RFC 9562 version 4. */
  randomUUID(): string {
    const b = stateOf(this).random.take(16);
    b[6] = ((b[6] as number) & 0x0f) | 0x40;
    b[8] = ((b[8] as number) & 0x3f) | 0x80;
    let out = "";
    for (let i = 0; i < 16; i++) out += (i === 4 || i === 6 || i === 8 || i === 10 ? "-" : "") + HEX[b[i] as number];
    return out;
  }
}
webidlInterface(Crypto, "Crypto");

/** The isolate's `crypto`, bound to its host bridge. */
export function createCrypto(call: HostCrypto): Crypto {
  return new Crypto(TOKEN, new RandomSource(call), createSubtle(call, new KeyFactory(call)));
}
