// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://w3c.github.io/webcrypto/#cryptokey-interface — CryptoKey. The key material stays on the
 * host; a CryptoKey holds an opaque handle into its isolate's host-side table, in a private field.
 */
import {
  ArrayPrototypePush,
  arrayCopy,
  JSONParse,
  MathMax,
  ObjectHasOwn,
  SafeSet,
  String as StringCtor,
  SymbolCreate,
  stringJoin,
  TypeError,
  Uint8Array,
  WeakRef,
  WeakRefPrototypeDeref,
} from "../primordials.js";
import { callHost, type HostCrypto, illegalConstructor, webidlInterface } from "./util.js";

export type KeyType = "secret" | "public" | "private";
export type { KeyUsage } from "../../bridge-contract.js";

import type { KeyUsage } from "../../bridge-contract.js";

/** A key as the host reports it (see packages/worker/src/isolate/crypto-bridge.ts). */
export interface KeyInfo {
  handle: number;
  type: KeyType;
  extractable: boolean;
  usages: KeyUsage[];
  algorithm: { name: string; publicExponent?: number[]; [member: string]: unknown };
}

const TOKEN = SymbolCreate("CryptoKey");

let handleOf: (key: CryptoKey) => number;
let infoOf: (key: CryptoKey) => KeyInfo;
/** The isolate's key factory (one per isolate): structured clones of keys are made through it. */
let isolateFactory: KeyFactory | null = null;

/** The bytes of a JSON number list (by index: the Uint8Array constructor would iterate the array). */
function bytesOf(list: readonly number[]): Uint8Array {
  const out = new Uint8Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = list[i] as number;
  return out;
}
let isKey: (value: unknown) => value is CryptoKey;

export class CryptoKey {
  #handle: number;
  #type: KeyType;
  #extractable: boolean;
  #algorithm: object;
  #usages: KeyUsage[];
  /** What the host reported, kept to make structured clones of the key. */
  #info: KeyInfo;

  constructor(...args: unknown[]) {
    if (args[0] !== TOKEN) illegalConstructor();
    const info = args[1] as KeyInfo;
    this.#info = info;
    this.#handle = info.handle;
    this.#type = info.type;
    this.#extractable = info.extractable;
    const { publicExponent, ...rest } = info.algorithm;
    // [[algorithm]] and [[usages]] are cached ECMAScript objects: the same object on every read.
    this.#algorithm = publicExponent ? { ...rest, publicExponent: bytesOf(publicExponent) } : rest;
    this.#usages = arrayCopy(info.usages);
  }

  get type(): KeyType {
    return check(this).#type;
  }
  get extractable(): boolean {
    return check(this).#extractable;
  }
  get algorithm(): object {
    return check(this).#algorithm;
  }
  get usages(): KeyUsage[] {
    return check(this).#usages;
  }

  static {
    handleOf = (key) => key.#handle;
    infoOf = (key) => key.#info;
    isKey = (value): value is CryptoKey => typeof value === "object" && value !== null && #handle in value;
  }
}
webidlInterface(CryptoKey, "CryptoKey");

function check(self: unknown): CryptoKey {
  if (!isKey(self)) throw new TypeError("Illegal invocation: not a CryptoKey");
  return self;
}

export function isCryptoKey(value: unknown): value is CryptoKey {
  return isKey(value);
}

export function keyHandle(key: CryptoKey): number {
  return handleOf(key);
}

/**
 * https://w3c.github.io/webcrypto/#cryptokey-interface-clone — a new CryptoKey with the same state,
 * sharing the host's key handle (released when neither is reachable any more: see sweep).
 */
export function cloneCryptoKey(key: CryptoKey): CryptoKey {
  if (isolateFactory === null) throw new TypeError("CryptoKey cannot be cloned before crypto is set up");
  return isolateFactory.make(infoOf(key));
}

type Tracked = { ref: WeakRef<CryptoKey>; handle: number };

/**
 * Makes CryptoKeys and gives their handles back to the host once they are garbage. isolated-vm runs
 * FinalizationRegistry callbacks only on asynchronous entries and NANO enters synchronously, so keys
 * are tracked with WeakRefs and swept each time the tracked count grows by a quarter (at least 256):
 * at most a few WeakRef reads per new key. A handle returns when V8 has collected its CryptoKey, so
 * the host table follows the isolate's GC (repeat imports of one key share one host entry).
 */
export class KeyFactory {
  #host: HostCrypto;
  #live: Tracked[] = [];
  #sweepAt = 256;

  constructor(host: HostCrypto) {
    this.#host = host;
    isolateFactory = this;
  }

  make(info: KeyInfo): CryptoKey {
    const key = new CryptoKey(TOKEN, info);
    ArrayPrototypePush(this.#live, { ref: new WeakRef(key), handle: info.handle });
    if (this.#live.length >= this.#sweepAt) this.sweep();
    return key;
  }

  /** Keys from a host answer: one CryptoKey, or a CryptoKeyPair dictionary. */
  fromHost(json: string): CryptoKey | { publicKey: CryptoKey; privateKey: CryptoKey } {
    const parsed = JSONParse(json) as KeyInfo | { publicKey: KeyInfo; privateKey: KeyInfo };
    // A CryptoKeyPair dictionary: members in lexicographic order, as WebIDL converts dictionaries.
    if (ObjectHasOwn(parsed, "publicKey")) {
      const pair = parsed as { publicKey: KeyInfo; privateKey: KeyInfo };
      return { privateKey: this.make(pair.privateKey), publicKey: this.make(pair.publicKey) };
    }
    return this.make(parsed as KeyInfo);
  }

  sweep(): void {
    const dead: string[] = [];
    const live: Tracked[] = [];
    const tracked = this.#live;
    const liveHandles = new SafeSet<number>();
    for (let i = 0; i < tracked.length; i++) {
      const k = tracked[i] as Tracked;
      if (WeakRefPrototypeDeref(k.ref) !== undefined) {
        ArrayPrototypePush(live, k);
        liveHandles.add(k.handle);
      }
    }
    // A handle is released once no key holding it (the original or a structured clone) is alive.
    const released = new SafeSet<number>();
    for (let i = 0; i < tracked.length; i++) {
      const handle = (tracked[i] as Tracked).handle;
      if (liveHandles.has(handle) || released.has(handle)) continue;
      released.add(handle);
      ArrayPrototypePush(dead, StringCtor(handle));
    }
    this.#live = live;
    if (dead.length > 0) callHost(this.#host, "release", stringJoin(dead, ","));
    this.#sweepAt = this.#live.length + MathMax(256, this.#live.length >> 2);
  }
}
